/*
 * apic_ipi: interprocessor interrupts through the xAPIC ICR (Intel SDM Vol
 * 3A 11.6 "Issuing Interprocessor Interrupts"): every CPU listens, the BSP
 * sends, and each CPU counts what it took.
 *
 *   - fixed IPIs to a physical APIC ID, to the physical broadcast ID 0xff,
 *     and through the shorthands self, all including self and all
 *     excluding self (11.6.1, Table 11-1);
 *   - logical destinations in the flat and in the cluster model (11.6.2.2):
 *     exactly the CPUs whose LDR matches get the interrupt;
 *   - lowest priority to a logical set (11.6.2.4): exactly one CPU of the set
 *     gets each interrupt; and, where the engine arbitrates by priority, the
 *     one with the lowest TPR. QEMU 7.2's TCG hands every lowest-priority
 *     interrupt to the first APIC of the set (hw/intc/apic.c, "XXX: search
 *     for focus processor, arbitration"), which 11.6.2.4 allows: the
 *     arbitration check is skipped there. Bochs arbitrates by TPR;
 *   - NMI to one CPU, taken even with interrupts off (6.7, 11.6.1), and to
 *     all excluding self;
 *   - the ICR's delivery status reads idle once the IPI is sent (11.6.1).
 * SMI IPIs are not sent: baremu drops them by design (no SMM), while QEMU
 * would run SeaBIOS's SMM handler.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/irq.h"
#include "rt/smp.h"

#define VEC_PHYS      0x40
#define VEC_BCAST     0x41
#define VEC_SELF      0x42
#define VEC_ALL       0x43
#define VEC_OTHERS    0x44
#define VEC_FLAT      0x45
#define VEC_CLUSTER   0x46
#define VEC_LOWEST    0xe7 /* priority class 14: above every TPR the test sets */
#define WAIT_MS       2000
#define SETTLE_MS     20
#define LOWEST_ROUNDS 4
#define MAX_LOGICAL   8 /* the flat model has 8 LDR bits */

static volatile uint32_t stop, lowest_done;

/* ---- what the APs run ---- */

static void listen(void *arg)
{
    (void)arg;
    irq_enable();
    while (!stop)
        cpu_pause();
    irq_disable();
}

static void spin_masked(void *arg)
{
    (void)arg;
    irq_disable();
    while (!stop)
        cpu_pause();
}

struct logical {
    uint32_t dfr, ldr;
};

static void set_logical(void *arg)
{
    const struct logical *l = arg;
    lapic_write(LAPIC_DFR, l->dfr);
    lapic_write(LAPIC_LDR, l->ldr);
}

static void set_tpr(void *arg)
{
    lapic_write(LAPIC_TPR, (uint32_t)(uintptr_t)arg);
}

/* run fn on every CPU, the BSP included */
static void on_all(void (*fn)(void *), void *(*arg_of)(unsigned i))
{
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call(plat.apic_id[i], fn, arg_of(i));
    fn(arg_of(0));
}

static void start_listening(void)
{
    stop = 0;
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_async(plat.apic_id[i], listen, NULL);
    irq_enable();
}

static void stop_listening(void)
{
    irq_disable();
    stop = 1;
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_wait(plat.apic_id[i], WAIT_MS);
}

/* ---- checking who got what ---- */

static uint32_t total(uint8_t vec)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < plat.ncpus; i++)
        n += irq_count(plat.apic_id[i], vec);
    return n;
}

/* did exactly the CPUs in want (bit i: plat.apic_id[i]) take vec, each times times? */
static bool got(uint8_t vec, uint64_t want, uint32_t times)
{
    uint32_t expect = 0;
    for (unsigned i = 0; i < plat.ncpus; i++)
        expect += (want >> i & 1) * times;
    uint64_t end = tsc_after_ms(WAIT_MS);
    while (total(vec) < expect && rdtsc() < end)
        cpu_pause();
    delay_ms(SETTLE_MS); /* time for a stray one */
    bool ok = true;
    for (unsigned i = 0; i < plat.ncpus; i++) {
        uint32_t n = irq_count(plat.apic_id[i], vec), w = (want >> i & 1) * times;
        if (n != w) {
            tap_diag("vector 0x%x: CPU %u (APIC %u) took %u, want %u", vec, i, plat.apic_id[i], n,
                     w);
            ok = false;
        }
    }
    return ok;
}

static uint64_t all_mask(void)
{
    return plat.ncpus >= 64 ? ~0ull : (1ull << plat.ncpus) - 1;
}

static void check_physical(void)
{
    bool ok = true;
    for (unsigned i = 0; i < plat.ncpus; i++) {
        irq_reset(VEC_PHYS);
        lapic_send_ipi(plat.apic_id[i], ICR_FIXED | ICR_ASSERT | VEC_PHYS);
        ok &= got(VEC_PHYS, 1ull << i, 1);
    }
    tap_ok(ok, "fixed IPI to each physical APIC ID reaches that CPU alone (the BSP's own ID too)");
    tap_ok(!(lapic_read(LAPIC_ICR_LO) & ICR_PENDING),
           "the ICR's delivery status reads idle after sending");
    lapic_send_ipi(APIC_BROADCAST, ICR_FIXED | ICR_ASSERT | VEC_BCAST);
    tap_ok(got(VEC_BCAST, all_mask(), 1), "fixed IPI to physical ID 0xff reaches every CPU");
}

static void check_shorthands(void)
{
    lapic_send_ipi(0, ICR_FIXED | ICR_ASSERT | ICR_SELF | VEC_SELF);
    tap_ok(got(VEC_SELF, 1, 1), "shorthand self: the sender alone");
    lapic_send_ipi(0, ICR_FIXED | ICR_ASSERT | ICR_ALL | VEC_ALL);
    tap_ok(got(VEC_ALL, all_mask(), 1), "shorthand all including self: every CPU");
    lapic_send_ipi(0, ICR_FIXED | ICR_ASSERT | ICR_ALL_BUT | VEC_OTHERS);
    tap_ok(got(VEC_OTHERS, all_mask() & ~1ull, 1),
           "shorthand all excluding self: every CPU but the sender");
}

static struct logical lcfg[SMP_MAX_CPUS];
static void *logical_of(unsigned i)
{
    return &lcfg[i];
}

static void check_logical(void)
{
    unsigned n = plat.ncpus < MAX_LOGICAL ? plat.ncpus : MAX_LOGICAL;
    /* flat: CPU i is bit i; send to the even ones */
    for (unsigned i = 0; i < plat.ncpus; i++)
        lcfg[i] = (struct logical){DFR_FLAT, i < n ? 1u << (24 + i) : 0};
    stop_listening();
    on_all(set_logical, logical_of);
    start_listening();
    uint64_t even = 0;
    for (unsigned i = 0; i < n; i += 2)
        even |= 1ull << i;
    lapic_send_ipi(0x55, ICR_FIXED | ICR_ASSERT | ICR_LOGICAL | VEC_FLAT);
    tap_ok(got(VEC_FLAT, even, 1),
           "logical flat destination 0x55 reaches exactly CPUs 0, 2, 4, 6 (those present)");

    /* cluster: CPU i is cluster i / 2, bit i % 2; send to cluster 1 bit 0 (CPU 2) and cluster 0
     * (CPUs 0, 1) */
    for (unsigned i = 0; i < plat.ncpus; i++)
        lcfg[i] =
            (struct logical){DFR_CLUSTER, i < 2 * 15 ? (i / 2) << 28 | 1u << (24 + i % 2) : 0};
    stop_listening();
    on_all(set_logical, logical_of);
    start_listening();
    lapic_send_ipi(0x11, ICR_FIXED | ICR_ASSERT | ICR_LOGICAL | VEC_CLUSTER);
    bool one = got(VEC_CLUSTER, plat.ncpus > 2 ? 1ull << 2 : 0, 1);
    irq_reset(VEC_CLUSTER);
    lapic_send_ipi(0x03, ICR_FIXED | ICR_ASSERT | ICR_LOGICAL | VEC_CLUSTER);
    bool zero = got(VEC_CLUSTER, plat.ncpus > 1 ? 3 : 1, 1);
    tap_ok(one && zero,
           "logical cluster: 0x11 reaches cluster 1's first CPU only, 0x03 both CPUs of cluster 0");
}

/* TPRs that make the last CPU the lowest-priority one */
static void *tpr_of(unsigned i)
{
    return (void *)(uintptr_t)(0x20 + 0x10 * (plat.ncpus - 1 - i));
}
static void *zero_of(unsigned i)
{
    (void)i;
    return NULL;
}

/* counts only once the EOI is written: the CPU is idle again */
static void lowest_handler(uint8_t vector, struct trap_frame *f)
{
    (void)vector, (void)f;
    lapic_eoi();
    __atomic_add_fetch(&lowest_done, 1, __ATOMIC_SEQ_CST);
}

static void check_lowest(void)
{
    unsigned n = plat.ncpus < MAX_LOGICAL ? plat.ncpus : MAX_LOGICAL;
    for (unsigned i = 0; i < plat.ncpus; i++)
        lcfg[i] = (struct logical){DFR_FLAT, i < n ? 1u << (24 + i) : 0};
    stop_listening();
    on_all(set_logical, logical_of);
    on_all(set_tpr, tpr_of);
    start_listening();
    /* one at a time, each EOI-ed before the next goes: an interrupt pending or in
     * service raises a CPU's arbitration priority (11.8.2), and a second one of
     * the same vector would merge into the pending one (11.8.4) */
    uint32_t set = (1u << n) - 1;
    lowest_done = 0;
    for (uint32_t k = 0; k < LOWEST_ROUNDS; k++) {
        lapic_send_ipi(set, ICR_LOWEST | ICR_ASSERT | ICR_LOGICAL | VEC_LOWEST);
        wait_at_least(&lowest_done, k + 1, WAIT_MS);
    }
    delay_ms(SETTLE_MS);
    tap_ok(total(VEC_LOWEST) == LOWEST_ROUNDS,
           "lowest priority to a logical set of %u: each of %u interrupts taken by exactly one CPU "
           "(%u taken)",
           n, LOWEST_ROUNDS, total(VEC_LOWEST));
    uint32_t last = plat.apic_id[n - 1];
    if (engine_is_qemu_tcg())
        tap_skip("QEMU TCG gives lowest priority to the first APIC of the set",
                 "lowest priority goes to the CPU with the lowest TPR (SDM 11.6.2.4)");
    else
        tap_ok(irq_count(last, VEC_LOWEST) == LOWEST_ROUNDS,
               "lowest priority goes to the CPU with the lowest TPR, APIC %u (SDM 11.6.2.4): it "
               "took %u",
               last, irq_count(last, VEC_LOWEST));
    stop_listening();
    on_all(set_tpr, zero_of);
    start_listening();
}

static void check_nmi(void)
{
    if (plat.ncpus < 2) {
        tap_skip("one CPU", "NMI IPI to an AP with interrupts off");
        tap_skip("one CPU", "NMI IPI to all excluding self");
        return;
    }
    stop_listening();
    irq_reset(VEC_NMI);
    stop = 0;
    uint32_t ap = plat.apic_id[plat.ncpus - 1];
    smp_call_async(ap, spin_masked, NULL);
    lapic_send_ipi(ap, ICR_NMI | ICR_ASSERT);
    tap_ok(got(VEC_NMI, 1ull << (plat.ncpus - 1), 1),
           "NMI IPI reaches its AP although that AP runs with IF=0");
    stop = 1;
    smp_call_wait(ap, WAIT_MS);
    start_listening();
    irq_reset(VEC_NMI);
    lapic_send_ipi(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT);
    tap_ok(got(VEC_NMI, all_mask() & ~1ull, 1),
           "NMI IPI to all excluding self reaches every AP once");
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    uint32_t cpus = 1;
    arg_u32("cpus", &cpus);
    platform_init();
    uint8_t vecs[] = {VEC_PHYS, VEC_BCAST, VEC_SELF, VEC_ALL, VEC_OTHERS, VEC_FLAT, VEC_CLUSTER};
    for (unsigned i = 0; i < sizeof vecs; i++)
        irq_install(vecs[i], NULL);
    irq_install(VEC_LOWEST, lowest_handler);
    irq_install(VEC_NMI, NULL);
    tap_plan(13);
    unsigned up = smp_boot_workers(plat.ncpus);
    tap_ok(plat.ncpus == cpus && up == cpus - 1, "%u CPUs in the MADT, %u APs up", plat.ncpus, up);
    start_listening();
    check_physical();
    check_shorthands();
    check_logical();
    check_lowest();
    check_nmi();
    stop_listening();
    tap_done();
}
