/*
 * test_intr.c: interrupt routing (emu/intr.h): ICR delivery modes,
 * destination modes and shorthands (SDM Vol 3A 11.6), lowest priority, MSI
 * (11.11), and IRR updates from several threads at once.
 */
#include "tests/unit/apic_rig.h"

#include <pthread.h>

static struct rig R;

#define ICR(mode, vector) ((uint32_t)(mode) << 8 | (vector) | ICR_ASSERT)
#define SH(sh)            ((uint32_t)(sh) << 18)

static void four_enabled(void)
{
    rig_init(&R, 4);
    rig_sw_enable_all(&R);
}

/* ---- physical ---- */

Test(intr, fixed_physical)
{
    four_enabled();
    rig_ipi(&R, 0, 2, ICR(APIC_DM_FIXED, 0x40));
    cr_assert_eq(rig_irr_mask(&R, 0x40), 1u << 2);
    cr_assert_eq(R.kicks[2], 1, "the target is kicked");
    cr_assert(lapic_events(&R.cpu[2]) & LAPIC_EV_INTR);
    cr_assert_not(rig_tmr(&R, 2, 0x40));
}

Test(intr, fixed_physical_no_such_apic)
{
    four_enabled();
    rig_ipi(&R, 0, 9, ICR(APIC_DM_FIXED, 0x40));
    cr_assert_eq(rig_irr_mask(&R, 0x40), 0);
}

Test(intr, physical_broadcast)
{
    four_enabled();
    rig_ipi(&R, 1, 0xff, ICR(APIC_DM_FIXED, 0x41));
    cr_assert_eq(rig_irr_mask(&R, 0x41), 0xf);
}

Test(intr, level_trigger_sets_tmr)
{
    four_enabled();
    rig_ipi(&R, 0, 1, ICR(APIC_DM_FIXED, 0x42) | ICR_LEVEL);
    cr_assert(rig_tmr(&R, 1, 0x42));
    rig_ipi(&R, 0, 1, ICR(APIC_DM_FIXED, 0x42));
    cr_assert_not(rig_tmr(&R, 1, 0x42), "an edge acceptance clears it");
}

Test(intr, delivery_status_reads_idle)
{
    four_enabled();
    rig_ipi(&R, 0, 1, ICR(APIC_DM_FIXED, 0x43));
    cr_assert_not(rig_rd(&R, 0, LAPIC_ICR_LO) & ICR_PENDING);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ICR_LO), ICR(APIC_DM_FIXED, 0x43));
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ICR_HI), 1u << 24);
}

/* ---- logical ---- */

Test(intr, logical_flat)
{
    four_enabled();
    for (unsigned i = 0; i < 4; i++)
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
    rig_ipi(&R, 0, 0x05, ICR(APIC_DM_FIXED, 0x50) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x50), 0x5);
    rig_ipi(&R, 0, 0xff, ICR(APIC_DM_FIXED, 0x51) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x51), 0xf, "0xff is broadcast");
    rig_ipi(&R, 0, 0x00, ICR(APIC_DM_FIXED, 0x52) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x52), 0);
}

Test(intr, logical_cluster)
{
    four_enabled();
    /* clusters 1 and 2, two members each */
    static const uint32_t ldr[4] = {0x11, 0x12, 0x21, 0x22};
    for (unsigned i = 0; i < 4; i++) {
        rig_wr(&R, i, LAPIC_DFR, 0x0fffffff);
        rig_wr(&R, i, LAPIC_LDR, ldr[i] << 24);
    }
    rig_ipi(&R, 0, 0x23, ICR(APIC_DM_FIXED, 0x53) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x53), 0xc);
    rig_ipi(&R, 0, 0x12, ICR(APIC_DM_FIXED, 0x54) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x54), 0x2);
    rig_ipi(&R, 0, 0xff, ICR(APIC_DM_FIXED, 0x55) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x55), 0xf);
}

Test(intr, x2apic_logical_cluster)
{
    rig_init(&R, 4);
    for (unsigned i = 0; i < 4; i++) {
        rig_x2apic(&R, i);
        lapic_wrmsr(&R.cpu[i], X2APIC_MSR(LAPIC_SVR), 0x1ff);
    }
    /* IDs 0-3: cluster 0, bits 0-3 */
    uint64_t icr = (0x0000000aull << 32) | ICR(APIC_DM_FIXED, 0x56) | ICR_LOGICAL;
    lapic_wrmsr(&R.cpu[0], X2APIC_MSR(LAPIC_ICR_LO), icr);
    cr_assert_eq(rig_irr_mask(&R, 0x56), 0xa);
    icr = (0x0001000full << 32) | ICR(APIC_DM_FIXED, 0x57) | ICR_LOGICAL;
    lapic_wrmsr(&R.cpu[0], X2APIC_MSR(LAPIC_ICR_LO), icr);
    cr_assert_eq(rig_irr_mask(&R, 0x57), 0, "cluster 1 is empty");
    icr = (0xffffffffull << 32) | ICR(APIC_DM_FIXED, 0x58);
    lapic_wrmsr(&R.cpu[0], X2APIC_MSR(LAPIC_ICR_LO), icr);
    cr_assert_eq(rig_irr_mask(&R, 0x58), 0xf, "x2APIC physical broadcast");
}

/* ---- shorthands ---- */

Test(intr, shorthand_self)
{
    four_enabled();
    rig_ipi(&R, 2, 0, ICR(APIC_DM_FIXED, 0x60) | SH(APIC_SH_SELF));
    cr_assert_eq(rig_irr_mask(&R, 0x60), 1u << 2);
    rig_ipi(&R, 2, 0, ICR(APIC_DM_NMI, 0) | SH(APIC_SH_SELF));
    cr_assert_not(lapic_events(&R.cpu[2]) & LAPIC_EV_NMI, "self is for fixed IPIs only");
}

Test(intr, shorthand_all_including_self)
{
    four_enabled();
    rig_ipi(&R, 1, 0, ICR(APIC_DM_FIXED, 0x61) | SH(APIC_SH_ALL));
    cr_assert_eq(rig_irr_mask(&R, 0x61), 0xf);
}

Test(intr, shorthand_all_excluding_self)
{
    four_enabled();
    rig_ipi(&R, 1, 0, ICR(APIC_DM_FIXED, 0x62) | SH(APIC_SH_OTHERS));
    cr_assert_eq(rig_irr_mask(&R, 0x62), 0xd);
}

/* ---- lowest priority (arbitration documented in emu/intr.h) ---- */

Test(intr, lowest_priority_picks_lowest_tpr)
{
    four_enabled();
    static const uint32_t tpr[4] = {0x40, 0x20, 0x10, 0x30};
    for (unsigned i = 0; i < 4; i++) {
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
        rig_wr(&R, i, LAPIC_TPR, tpr[i]);
    }
    rig_ipi(&R, 0, 0x0f, ICR(APIC_DM_LOWEST, 0x70) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x70), 1u << 2);
    rig_ipi(&R, 0, 0x0b, ICR(APIC_DM_LOWEST, 0x71) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x71), 1u << 1, "among 0, 1 and 3");
}

Test(intr, lowest_priority_ties_go_to_lowest_index)
{
    four_enabled();
    for (unsigned i = 0; i < 4; i++)
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
    rig_ipi(&R, 0, 0x0e, ICR(APIC_DM_LOWEST, 0x72) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x72), 1u << 1);
}

Test(intr, lowest_priority_counts_busy_apics)
{
    four_enabled();
    for (unsigned i = 0; i < 4; i++)
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
    lapic_deliver(&R.cpu[0], APIC_DM_FIXED, 0x90, false); /* cpu 0 has work pending */
    rig_ipi(&R, 1, 0x03, ICR(APIC_DM_LOWEST, 0x73) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x73), 1u << 1);
}

Test(intr, lowest_priority_skips_software_disabled)
{
    four_enabled();
    for (unsigned i = 0; i < 4; i++)
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
    rig_wr(&R, 0, LAPIC_SVR, 0xff);
    rig_ipi(&R, 1, 0x03, ICR(APIC_DM_LOWEST, 0x74) | ICR_LOGICAL);
    cr_assert_eq(rig_irr_mask(&R, 0x74), 1u << 1);
}

/* ---- system delivery modes ---- */

Test(intr, nmi)
{
    four_enabled();
    rig_ipi(&R, 0, 3, ICR(APIC_DM_NMI, 0));
    cr_assert_eq(lapic_events(&R.cpu[3]), LAPIC_EV_NMI);
    cr_assert_eq(lapic_events(&R.cpu[1]), 0);
    cr_assert_eq(R.kicks[3], 1);
}

Test(intr, init_assert_and_sipi)
{
    four_enabled();
    rig_ipi(&R, 0, 0, ICR(APIC_DM_INIT, 0) | SH(APIC_SH_OTHERS) | ICR_LEVEL);
    for (unsigned i = 1; i < 4; i++)
        cr_assert(lapic_events(&R.cpu[i]) & LAPIC_EV_INIT, "cpu %u", i);
    cr_assert_not(lapic_events(&R.cpu[0]) & LAPIC_EV_INIT);
    rig_ipi(&R, 0, 0, ICR(APIC_DM_SIPI, 0x9f) | SH(APIC_SH_OTHERS));
    for (unsigned i = 1; i < 4; i++) {
        uint32_t ev = lapic_events(&R.cpu[i]);
        cr_assert(ev & LAPIC_EV_SIPI);
        cr_assert_eq(LAPIC_EV_SIPI_VECTOR(ev), 0x9f);
    }
}

/* Aero's INIT de-assert behaviour: no reset of anyone */
Test(intr, init_deassert_is_a_no_op)
{
    four_enabled();
    rig_ipi(&R, 0, 0, (APIC_DM_INIT << 8) | ICR_LEVEL | SH(APIC_SH_ALL));
    for (unsigned i = 0; i < 4; i++)
        cr_assert_eq(lapic_events(&R.cpu[i]), 0);
    rig_ipi(&R, 0, 2, (APIC_DM_INIT << 8) | ICR_LEVEL);
    cr_assert_eq(lapic_events(&R.cpu[2]), 0);
}

Test(intr, init_to_bsp)
{
    four_enabled();
    rig_ipi(&R, 1, 0, ICR(APIC_DM_INIT, 0));
    cr_assert_eq(lapic_events(&R.cpu[0]), LAPIC_EV_INIT);
}

Test(intr, smi_dropped)
{
    four_enabled();
    rig_ipi(&R, 0, 1, ICR(APIC_DM_SMI, 0));
    cr_assert_eq(lapic_events(&R.cpu[1]), 0);
    cr_assert_eq(R.kicks[1], 0);
}

Test(intr, reserved_icr_modes_send_nothing)
{
    four_enabled();
    rig_ipi(&R, 0, 1, ICR(3, 0x40));
    rig_ipi(&R, 0, 1, ICR(APIC_DM_EXTINT, 0x40));
    cr_assert_eq(lapic_events(&R.cpu[1]), 0);
    cr_assert_eq(rig_irr_mask(&R, 0x40), 0);
}

Test(intr, lowest_priority_to_all_dropped)
{
    four_enabled();
    rig_ipi(&R, 0, 0, ICR(APIC_DM_LOWEST, 0x40) | SH(APIC_SH_ALL));
    cr_assert_eq(rig_irr_mask(&R, 0x40), 0);
}

/* ---- MSI (11.11) ---- */

Test(msi, fixed_physical)
{
    four_enabled();
    cr_assert(msi_deliver(&R.intr, MSI_ADDR_BASE | (3u << 12), 0x45));
    cr_assert_eq(rig_irr_mask(&R, 0x45), 1u << 3);
}

Test(msi, logical_and_lowest_priority)
{
    four_enabled();
    for (unsigned i = 0; i < 4; i++)
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
    rig_wr(&R, 0, LAPIC_TPR, 0x50);
    msi_deliver(&R.intr, MSI_ADDR_BASE | (0x3u << 12) | MSI_ADDR_LOGICAL, 0x46);
    cr_assert_eq(rig_irr_mask(&R, 0x46), 0x3);
    msi_deliver(&R.intr, MSI_ADDR_BASE | (0x3u << 12) | MSI_ADDR_LOGICAL,
                (APIC_DM_LOWEST << 8) | 0x47);
    cr_assert_eq(rig_irr_mask(&R, 0x47), 0x2);
}

Test(msi, level_nmi_extint)
{
    four_enabled();
    msi_deliver(&R.intr, MSI_ADDR_BASE | (1u << 12), MSI_DATA_LEVEL | MSI_DATA_ASSERT | 0x48);
    cr_assert(rig_tmr(&R, 1, 0x48));
    msi_deliver(&R.intr, MSI_ADDR_BASE | (2u << 12), APIC_DM_NMI << 8);
    cr_assert(lapic_events(&R.cpu[2]) & LAPIC_EV_NMI);
    msi_deliver(&R.intr, MSI_ADDR_BASE, APIC_DM_EXTINT << 8);
    cr_assert(lapic_events(&R.cpu[0]) & LAPIC_EV_EXTINT);
}

Test(msi, rejects_bad_address_and_modes)
{
    four_enabled();
    cr_assert_not(msi_deliver(&R.intr, 0xfed00000u, 0x40));
    cr_assert_not(msi_deliver(&R.intr, MSI_ADDR_BASE, (3u << 8) | 0x40));
    cr_assert_not(msi_deliver(&R.intr, MSI_ADDR_BASE, (APIC_DM_SIPI << 8) | 0x40));
    cr_assert_eq(rig_irr_mask(&R, 0x40), 0);
}

/* ---- concurrency: IRR bits set from several threads at once are never lost ---- */

#define THREADS 4
#define ROUNDS  2000

static pthread_barrier_t start, done;

static void *sender(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    for (unsigned round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&start);
        /* thread t owns vectors 32+t, 32+t+THREADS, ...: neighbours in every IRR word */
        for (unsigned v = 32 + t; v < 256; v += THREADS) {
            struct intr_msg m = {
                .dest = 0, .vector = (uint8_t)v, .mode = APIC_DM_FIXED, .assert = true};
            intr_deliver(&R.intr, &m, NULL);
        }
        pthread_barrier_wait(&done);
    }
    return NULL;
}

Test(intr, concurrent_senders_lose_no_irr_bit)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    pthread_t th[THREADS];
    pthread_barrier_init(&start, NULL, THREADS + 1);
    pthread_barrier_init(&done, NULL, THREADS + 1);
    for (unsigned t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, sender, (void *)(uintptr_t)t);
    for (unsigned round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&start);
        pthread_barrier_wait(&done);
        for (unsigned w = 1; w < 8; w++)
            cr_assert_eq(R.cpu[0].irr[w], 0xffffffffu, "round %u word %u: %#x", round, w,
                         R.cpu[0].irr[w]);
        /* the owner takes them all, as its run loop would */
        unsigned taken = 0;
        while (lapic_ack(&R.cpu[0]) >= 0) {
            rig_wr(&R, 0, LAPIC_EOI, 0);
            taken++;
        }
        cr_assert_eq(taken, 224);
    }
    for (unsigned t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    cr_assert_eq(R.kicks[0], THREADS * ROUNDS * (224 / THREADS));
}

static void *acker(void *arg)
{
    (void)arg;
    unsigned got = 0;
    while (got < THREADS * ROUNDS) {
        if (lapic_ack(&R.cpu[0]) >= 0) {
            lapic_mmio_write(&R.cpu[0], LAPIC_EOI, 0, 4);
            got++;
        }
    }
    return NULL;
}

static void *one_vector_sender(void *arg)
{
    unsigned v = 0x40 + (unsigned)(uintptr_t)arg * 0x20;
    for (unsigned i = 0; i < ROUNDS; i++) {
        /* wait until the owner took the previous one, then send again */
        while (vec_in(R.cpu[0].irr, v))
            ;
        struct intr_msg m = {
            .dest = 0, .vector = (uint8_t)v, .mode = APIC_DM_FIXED, .assert = true};
        intr_deliver(&R.intr, &m, NULL);
    }
    return NULL;
}

Test(intr, concurrent_send_and_acknowledge)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    pthread_t owner, th[THREADS];
    pthread_create(&owner, NULL, acker, NULL);
    for (unsigned t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, one_vector_sender, (void *)(uintptr_t)t);
    for (unsigned t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    pthread_join(owner, NULL); /* returns only once every interrupt was taken */
    cr_assert_eq(lapic_pending(&R.cpu[0]), -1);
}
