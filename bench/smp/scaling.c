/*
 * bench/smp/scaling.c: SMP scaling (issue 7, "Scaling"). Every vCPU runs the
 * same CPU-bound integer loop, iters= times (default 10,000,000), with no
 * shared writes until it stores its result in its own cache line, all
 * starting together. Prints, per vCPU, its TSC ticks and time, and the span
 * from the first start to the last end:
 *
 *   scaling: cpu=K iters=N ticks=T ns=NS checksum=0xX
 *   scaling: cpus=C iters=N span_ns=NS
 *   scaling: done
 *
 * The loop executes the same instructions every iteration, so baremu's
 * -stats count at iters=0 and iters=N gives the instructions per iteration
 * (bench/smp.sh); the printed lines only change in their digits.
 */
#include "smpbench.h"

#define DEFAULT_ITERS 10000000u
#define LINE          64

struct result {
    volatile uint32_t ready, done;
    uint64_t t0, t1;
    uint32_t checksum;
} __attribute__((aligned(LINE)));

static struct result res[SMP_MAX_CPUS];
static volatile uint32_t go;
static uint32_t iters = DEFAULT_ITERS;

/* xorshift32 mixed into two accumulators: ALU only, the same path every iteration */
static __attribute__((noipa)) uint32_t loop(uint32_t n, uint32_t seed)
{
    uint32_t x = seed, a = 0, b = 1;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        a += x * 0x9e3779b9u;
        b ^= a + (b << 3) + (b >> 2);
    }
    return a ^ b ^ x;
}

static void run(void *arg)
{
    struct result *r = arg;
    __atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
        cpu_pause();
    r->t0 = rdtsc_ordered();
    uint32_t c = loop(iters, 2463534242u);
    r->t1 = rdtsc_ordered();
    r->checksum = c;
    __atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    arg_u32("iters", &iters);
    smpb_tsc_init("scaling");
    unsigned n = plat.ncpus;
    unsigned up = smp_boot_workers(n);
    if (up + 1 != n) {
        printf("scaling: error: %u of %u APs came up\n", up, n - 1);
        guest_exit(GUEST_FAIL);
    }
    for (unsigned i = 1; i < n; i++)
        smp_call_async(plat.apic_id[i], run, &res[i]);
    for (unsigned i = 1; i < n; i++)
        while (!__atomic_load_n(&res[i].ready, __ATOMIC_ACQUIRE))
            cpu_pause();
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    run(&res[0]);
    for (unsigned i = 1; i < n; i++)
        while (!__atomic_load_n(&res[i].done, __ATOMIC_ACQUIRE))
            cpu_pause();

    uint64_t first = res[0].t0, last = res[0].t1;
    for (unsigned i = 0; i < n; i++) {
        const struct result *r = &res[i];
        printf("scaling: cpu=%u iters=%u ticks=%llu ns=%llu checksum=0x%08x\n", i, iters,
               (unsigned long long)(r->t1 - r->t0),
               (unsigned long long)smpb_ticks_to_ns(r->t1 - r->t0), r->checksum);
        if (r->t0 < first)
            first = r->t0;
        if (r->t1 > last)
            last = r->t1;
    }
    printf("scaling: cpus=%u iters=%u span_ns=%llu\n", n, iters,
           (unsigned long long)smpb_ticks_to_ns(last - first));
    printf("scaling: done\n");
    guest_exit(GUEST_PASS);
}
