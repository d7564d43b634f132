/*
 * apic_startup: starting application processors and stopping them again
 * (Intel SDM Vol 3A 9.4 "Multiple-Processor (MP) Initialization" and 11.6.1,
 * the INIT and STARTUP delivery modes).
 *
 *   - every AP is started by the CPU before it, INIT-SIPI-SIPI to its APIC ID
 *     alone: the BSP starts the first, each AP the next (9.4.4.1);
 *   - each AP's TSC, read first thing after its SIPI, lies between the BSP's
 *     TSC before the INIT and after the check-in (Aero's ap_tsc_sipi_sync);
 *   - every CPU sees its own local APIC at the same MMIO address: its ID
 *     register holds its own APIC ID, and a TPR written there is its alone
 *     (Aero's lapic_mmio_per_vcpu);
 *   - a SIPI to a running AP is ignored (9.4.4.1: "the SIPI is ignored if the
 *     processor is not in the wait-for-SIPI state"); so is an INIT level
 *     de-assert, which no processor since the Pentium 4 acts on (11.6.1);
 *   - INIT stops a running AP dead and leaves it waiting for SIPI (9.1,
 *     11.6.1): it runs nothing until a SIPI alone starts it again at the
 *     vector's page.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/smp.h"

#define SIPI_VECTOR (AP_TRAMP_BASE >> 12)
#define SETTLE_MS   20
#define PROGRESS_MS 5000
#define STOPPED_MS  100

static volatile uint32_t chain_up, started_by[SMP_MAX_CPUS], mmio_id[SMP_MAX_CPUS];
static volatile uint32_t spins, stop;

/* started by the CPU before it: record what it sees, start the next one, then serve calls */
static void chain(unsigned index)
{
    mmio_id[index] = lapic_read(LAPIC_ID) >> 24;
    if (index + 1 < plat.ncpus) {
        started_by[index + 1] = cpu_apic_id();
        smp_start_ap(plat.apic_id[index + 1], index + 1, chain);
    }
    __atomic_add_fetch(&chain_up, 1, __ATOMIC_SEQ_CST);
    smp_worker(index);
}

static void set_tpr(void *arg)
{
    lapic_write(LAPIC_TPR, (uint32_t)(uintptr_t)arg);
}
static void get_tpr(void *arg)
{
    *(uint32_t *)arg = lapic_read(LAPIC_TPR);
}

static void spin(void *arg)
{
    (void)arg;
    while (!stop)
        __atomic_add_fetch(&spins, 1, __ATOMIC_RELAXED);
}

/* does the spinning AP still make progress? (a loaded host may not run it for a while) */
static bool progressing(void)
{
    uint32_t a = spins;
    uint64_t end = tsc_after_ms(PROGRESS_MS);
    while (spins == a && rdtsc() < end)
        cpu_pause();
    return spins != a;
}

static void check_chain(unsigned cpus)
{
    uint64_t t0 = rdtsc();
    started_by[1] = cpu_apic_id();
    smp_start_ap(plat.apic_id[1], 1, chain);
    bool all = wait_at_least(&chain_up, cpus - 1, 10000);
    uint64_t t1 = rdtsc();
    tap_ok(
        all,
        "INIT-SIPI-SIPI to one APIC ID at a time: %u of %u APs up, each started by the one before",
        chain_up, cpus - 1);
    bool order = true, tsc = true, ids = true;
    for (unsigned i = 1; i < cpus; i++) {
        order &= started_by[i] == plat.apic_id[i - 1];
        tsc &= ap_start_tsc[i] >= t0 && ap_start_tsc[i] <= t1;
        ids &= mmio_id[i] == plat.apic_id[i];
        if (ap_start_tsc[i] < t0 || ap_start_tsc[i] > t1)
            tap_diag("AP %u: TSC %llu after SIPI, BSP's window %llu..%llu", i,
                     (unsigned long long)ap_start_tsc[i], (unsigned long long)t0,
                     (unsigned long long)t1);
    }
    tap_ok(order && all, "each AP was started by the previous CPU (an AP starting an AP)");
    tap_ok(tsc && all, "each AP's TSC after its SIPI lies within the BSP's TSC before and after");
    tap_ok(ids && all, "each AP reads its own APIC ID at the same LAPIC MMIO address");

    bool own = true;
    for (unsigned i = 1; i < cpus; i++)
        smp_call(plat.apic_id[i], set_tpr, (void *)(uintptr_t)(0x10 * i));
    for (unsigned i = 1; i < cpus; i++) {
        uint32_t t = ~0u;
        smp_call(plat.apic_id[i], get_tpr, &t);
        own &= t == 0x10 * i;
        smp_call(plat.apic_id[i], set_tpr, (void *)0);
    }
    tap_ok(own && lapic_read(LAPIC_TPR) == 0,
           "a TPR written through the shared MMIO address belongs to the CPU that wrote it");
}

static void check_stops(void)
{
    uint32_t ap = plat.apic_id[1];
    smp_call(ap, set_tpr, (void *)0x30);
    stop = 0;
    smp_call_async(ap, spin, NULL);
    wait_at_least(&spins, 1, 1000);

    uint32_t entries = ap_tramp_entries;
    lapic_send_ipi(ap, ICR_STARTUP | ICR_ASSERT | SIPI_VECTOR);
    lapic_send_ipi(ap, ICR_STARTUP | ICR_ASSERT | SIPI_VECTOR);
    delay_ms(SETTLE_MS); /* time to enter the trampoline, were it to */
    bool still = progressing();
    tap_ok(still && ap_tramp_entries == entries && smp_call_busy(ap),
           "a SIPI to a running AP is ignored: it keeps running its code (trampoline entries %u -> "
           "%u)",
           entries, ap_tramp_entries);

    /* the de-assert form: INIT, level trigger, level bit clear (11.6.1, 9.4.4.1 note) */
    lapic_send_ipi(0, ICR_INIT | ICR_LEVEL | ICR_ALL);
    lapic_send_ipi(ap, ICR_INIT | ICR_LEVEL);
    still = progressing();
    tap_ok(still && ap_tramp_entries == entries,
           "INIT level de-assert (all including self, and to the AP) changes nothing");

    /* once the INIT is sent the AP retires at most the increment it is in the middle of */
    lapic_send_ipi(ap, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    uint32_t at_init = spins;
    delay_ms(STOPPED_MS);
    uint32_t after = spins;
    tap_ok(
        after - at_init <= 1 && ap_tramp_entries == entries,
        "INIT stops the running AP, which then waits: it runs nothing and starts nothing (%u more)",
        after - at_init);

    stop = 1;
    bool up = smp_sipi_ap(ap, 1, smp_worker);
    tap_ok(up && ap_tramp_entries == entries + 1,
           "a SIPI alone starts the INIT-ed AP again at vector 0x%02x's page", SIPI_VECTOR);
    uint32_t t = ~0u;
    tap_ok(smp_call(ap, get_tpr, &t) && t == 0,
           "the restarted AP serves calls; INIT reset its TPR from 0x30 to 0");
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    uint32_t cpus = 1;
    arg_u32("cpus", &cpus);
    platform_init();
    tap_plan(12);
    tap_ok(plat.ncpus == cpus, "the MADT lists cpus=%u processors (%u)", cpus, plat.ncpus);
    tap_ok(lapic_read(LAPIC_ID) >> 24 == cpu_apic_id() && cpu_apic_id() == plat.apic_id[0],
           "the BSP reads its own APIC ID %u at the LAPIC MMIO address", cpu_apic_id());
    if (plat.ncpus < 2) {
        for (int i = 0; i < 10; i++)
            tap_skip("one CPU", "AP start-up and INIT/SIPI checks need an AP");
        tap_done();
    }
    check_chain(plat.ncpus);
    check_stops();
    tap_done();
}
