/*
 * tests/guest/smp_tsc.c: the TSC across CPUs (issue 7).
 *
 * 1. warp check, as Linux's check_tsc_warp() (arch/x86/kernel/tsc_sync.c):
 *    every CPU at once, loops= times, takes a spinlock, reads the TSC
 *    (ordered by LFENCE), compares it with the last value any CPU stored,
 *    stores its own and lets go. A value below the previous one is a warp:
 *    time went backwards between CPUs. Each CPU's own readings must rise too.
 * 2. a TSC write (WRMSR 0x10, SDM Vol 3B 17.17) on the last CPU moves its
 *    TSC alone, forward by 2^40 ticks: its reads go on rising from there,
 *    the BSP's TSC does not jump.
 * 3. IA32_TSC_ADJUST (MSR 0x3B, SDM Vol 3B 17.17.3), where CPUID.07H:EBX[1]
 *    offers it: 0 on every CPU at first; the write of 2 moved it by the same
 *    amount as the TSC, on that CPU only; writing it back to 0 moves the TSC
 *    back by as much, so the warp check passes again (run a second time).
 *    QEMU 7.2's TCG does not offer it: skipped there.
 *
 * QEMU 7.2's TCG (CPUID 0x40000000: "TCGTCGTCGTCG") ignores WRMSR to the
 * TSC, so 2 is skipped under it too; Bochs 2.7 models both (checked by hand,
 * tests/guest/README.md).
 */
#include "rt/guest.h"
#include "rt/smp.h"

#define DEFAULT_LOOPS    5000u
#define JUMP             (1ull << 40) /* how far the TSC write moves the TSC */
#define SLACK            (1ull << 36) /* more than any run of this test takes, far below JUMP */
#define CPUID7_EBX_TSC_ADJUST (1u << 1)

static uint32_t ncpus = 1, loops = DEFAULT_LOOPS;
static struct smp_barrier bar;
static volatile uint32_t sync_lock;
static volatile uint64_t last_tsc;
static volatile uint32_t warps[2], own_back[SMP_MAX_CPUS];
static volatile uint64_t max_warp[2];
static volatile uint32_t finished;
static bool has_adjust, tsc_writable = true;
static volatile uint64_t adjust_at_start[SMP_MAX_CPUS];
/* the writer's (the last CPU's) view of part 2 and 3 */
static volatile uint64_t w_before, w_after, w_adjust, w_restored, w_end, w_back;
static volatile uint32_t w_not_rising;
/* the BSP's view of its own TSC around the write */
static volatile uint64_t bsp_before, bsp_after, bsp_adjust;

static void lock(void)
{
    while (__atomic_exchange_n(&sync_lock, 1, __ATOMIC_ACQUIRE))
        cpu_pause();
}

static void unlock(void) { __atomic_store_n(&sync_lock, 0, __ATOMIC_RELEASE); }

static void warp_check(unsigned me, unsigned pass)
{
    uint64_t mine = 0;
    for (uint32_t i = 0; i < loops; i++) {
        lock();
        uint64_t prev = last_tsc, now = rdtsc_ordered();
        last_tsc = now;
        unlock();
        if (prev > now) {
            warps[pass]++;
            if (prev - now > max_warp[pass])
                max_warp[pass] = prev - now;
        }
        if (now < mine)
            own_back[me]++;
        mine = now;
    }
}

/* part 2 and 3 on the writer */
static void write_tsc(void)
{
    w_before = rdtsc_ordered();
    wrmsr(MSR_TSC, w_before + JUMP);
    w_after = rdtsc_ordered();
    uint64_t prev = w_after;
    for (unsigned k = 0; k < 1000; k++) {
        uint64_t now = rdtsc_ordered();
        if (now < prev)
            w_not_rising++;
        prev = now;
    }
    if (has_adjust) {
        w_adjust = rdmsr(MSR_TSC_ADJUST);
        wrmsr(MSR_TSC_ADJUST, 0);
        w_restored = rdtsc_ordered();
        w_back = rdmsr(MSR_TSC_ADJUST);
    }
}

static void work(unsigned me)
{
    uint32_t sense = 0;
    unsigned writer = ncpus - 1;
    if (has_adjust)
        adjust_at_start[me] = rdmsr(MSR_TSC_ADJUST);
    smp_barrier_wait(&bar, ncpus, &sense);
    warp_check(me, 0);
    smp_barrier_wait(&bar, ncpus, &sense);
    if (me == 0)
        bsp_before = rdtsc_ordered();
    smp_barrier_wait(&bar, ncpus, &sense);
    if (me == writer)
        write_tsc();
    smp_barrier_wait(&bar, ncpus, &sense);
    if (me == 0) {
        bsp_after = rdtsc_ordered();
        if (has_adjust)
            bsp_adjust = rdmsr(MSR_TSC_ADJUST);
        last_tsc = 0;
    }
    smp_barrier_wait(&bar, ncpus, &sense);
    if (has_adjust)
        warp_check(me, 1);
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    arg_u32("cpus", &ncpus);
    arg_u32("loops", &loops);
    if (ncpus < 1 || ncpus > SMP_MAX_CPUS)
        tap_bail("cpus=%u is out of range", ncpus);
    tsc_writable = !engine_is_qemu_tcg(); /* QEMU 7.2's TCG ignores TSC writes */
    if (cpuid(0, 0).a >= 7)
        has_adjust = cpuid(7, 0).b & CPUID7_EBX_TSC_ADJUST;
    tap_plan(9);

    unsigned up = ncpus > 1 ? smp_start_aps(ncpus, work) : 0;
    tap_ok(up == ncpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, ncpus - 1);
    if (up != ncpus - 1)
        tap_bail("not every AP came up");
    work(0);
    for (uint32_t spin = 0; finished < ncpus && spin < 2000000000u; spin++)
        cpu_pause();
    tap_ok(finished == ncpus, "all %u CPUs finished (%u did)", ncpus, finished);

    uint32_t back = 0;
    for (unsigned k = 0; k < ncpus; k++)
        back += own_back[k];
    tap_ok(warps[0] == 0, "TSC warp check, %u CPUs x %u readings: no warp (%u, max %llu ticks)",
           ncpus, loops, warps[0], (unsigned long long)max_warp[0]);
    tap_ok(back == 0, "every CPU's own TSC readings rise (%u fell)", back);
    if (tsc_writable) {
        tap_ok(w_after >= w_before + JUMP && w_after < w_before + JUMP + SLACK &&
                   w_not_rising == 0,
               "a TSC write moves that CPU's TSC to the value written, and it rises from there "
               "(moved by %llu, %u falls)",
               (unsigned long long)(w_after - w_before), w_not_rising);
        tap_ok(ncpus == 1 || bsp_after - bsp_before < SLACK,
               "the write on CPU %u leaves the BSP's TSC alone (moved %llu)", ncpus - 1,
               (unsigned long long)(bsp_after - bsp_before));
    } else {
        tap_skip("QEMU's TCG ignores TSC writes", "a TSC write moves that CPU's TSC");
        tap_skip("QEMU's TCG ignores TSC writes", "a TSC write on one CPU leaves the BSP's alone");
    }
    if (has_adjust) {
        bool zero = true;
        for (unsigned k = 0; k < ncpus; k++)
            zero &= adjust_at_start[k] == 0;
        tap_ok(zero && (ncpus == 1 || bsp_adjust == 0),
               "IA32_TSC_ADJUST is 0 on every CPU, and stays 0 where the TSC was not written");
        tap_ok(w_adjust <= JUMP && w_adjust > JUMP - SLACK && w_back == 0 &&
                   w_restored < w_after && w_restored >= w_before,
               "the TSC write moved IA32_TSC_ADJUST by as much (%llu); writing it 0 moved the "
               "TSC back",
               (unsigned long long)w_adjust);
        tap_ok(warps[1] == 0, "after IA32_TSC_ADJUST is 0 again: no warp (%u, max %llu ticks)",
               warps[1], (unsigned long long)max_warp[1]);
    } else {
        tap_skip("CPUID.07H:EBX[1] (TSC_ADJUST) is clear", "IA32_TSC_ADJUST starts at 0");
        tap_skip("CPUID.07H:EBX[1] (TSC_ADJUST) is clear", "IA32_TSC_ADJUST follows a TSC write");
        tap_skip("CPUID.07H:EBX[1] (TSC_ADJUST) is clear", "warp check after IA32_TSC_ADJUST");
    }
    tap_done();
}
