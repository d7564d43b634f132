/*
 * bench/smp/jitter.c: timer lateness (issue 7, "Timer jitter";
 * docs/timing.md). On every vCPU at once, for secs= seconds each (default
 * 10), at hz= interrupts a second (default 10,000):
 *
 *   periodic: the LAPIC timer in periodic mode (SDM Vol 3A 11.5.4). A tick
 *     is due when the count reaches 0 and reloads; the handler reads the
 *     TSC, the current count and the TSC again: ICR - CCR is how long
 *     before the second read, in timer ticks, the count reloaded, which
 *     gives the due time in TSC ticks (the latest reload not after the
 *     first read, should the vCPU lose its host core in between). A tick
 *     that came more than a period late merges with the next (one IRR bit): the due
 *     times of two handled ticks then lie m > 1 periods apart, m - 1 are
 *     counted missed and the lateness is taken from the earliest of them.
 *   deadline: the TSC-deadline timer (11.5.4.1), where CPUID.01H:ECX[24]
 *     offers it, re-armed in each handler to the previous deadline plus one
 *     period; lateness = TSC at handler entry - the deadline written.
 *
 * Each vCPU waits in STI;HLT between ticks. Lateness goes into a histogram
 * per vCPU and timer (bench/smp/smpbench.h); then vCPU 0 prints, per timer,
 *
 *   jitter: periodic cpu=K missed=.. n=.. min_ns=.. p50_ns=.. p99_ns=.. p99.9_ns=.. max_ns=..
 *   jitter: periodic cpu=all ...
 *   jitter: periodic < 500 ns |#########     1234  12.3%   (log-scale bars)
 *   jitter: deadline not offered (CPUID.01H:ECX[24] is clear)
 *   jitter: done
 */
#include "smpbench.h"

#define VEC_PERIODIC 0x50
#define VEC_DEADLINE 0x51
#define DEFAULT_SECS 10u
#define DEFAULT_HZ   10000u
#define CAL_MS       50
#define RESYNC_PERIOD                                                                              \
    1000 /* a deadline this many periods behind is given up: re-armed from now                     \
          */
#define CPUID_HV_TIMING 0x40000010u

struct cpu_state {
    struct smpb_hist hist[2]; /* periodic, deadline */
    uint64_t end, due, prev_due, missed[2], resyncs;
    volatile uint32_t done;
    bool have_prev;
} __attribute__((aligned(64)));

static struct cpu_state st[SMP_MAX_CPUS];
static uint8_t index_of[256];
static uint32_t secs = DEFAULT_SECS, rate = DEFAULT_HZ;
static uint64_t lapic_hz, period_tsc, lapic_period_tsc;
static uint32_t lapic_count; /* the periodic timer's initial count, divide by 1 */
static const char *lapic_from = "calibrated";

static struct cpu_state *mine(void)
{
    return &st[index_of[lapic_id() & 0xff]];
}

SMP_IRQ_STUB(periodic_stub, periodic_handler);
SMP_IRQ_STUB(deadline_stub, deadline_handler);

void periodic_handler(void)
{
    uint64_t now = rdtsc();
    uint32_t ccr = lapic_read(LAPIC_TIMER_CCR);
    uint64_t after = rdtsc(); /* the count was read between now and after */
    struct cpu_state *s = mine();
    /* the last reload: after less the count's progress since it, and never later than now (the
     * vCPU may lose its host core between the reads) */
    uint64_t due = after - (uint64_t)(lapic_count - ccr) * smpb_tsc_hz / lapic_hz;
    while ((int64_t)(now - due) < 0)
        due -= lapic_period_tsc;
    uint64_t late = now - due;
    if (s->have_prev) {
        int64_t apart = (int64_t)(due - s->prev_due);
        uint64_t m = apart > 0 ? ((uint64_t)apart + lapic_period_tsc / 2) / lapic_period_tsc : 0;
        if (m > 1) {
            s->missed[0] += m - 1;
            late += (m - 1) * lapic_period_tsc;
        }
    }
    s->prev_due = due, s->have_prev = true;
    smpb_hist_add(&s->hist[0], late);
    if (now >= s->end) {
        lapic_write(LAPIC_TIMER_ICR, 0);
        s->done = 1;
    }
    smp_eoi();
}

void deadline_handler(void)
{
    uint64_t now = rdtsc();
    struct cpu_state *s = mine();
    smpb_hist_add(&s->hist[1], now - s->due);
    s->due += period_tsc;
    if (now - s->due < (uint64_t)INT64_MAX && now - s->due > RESYNC_PERIOD * period_tsc) {
        s->due = now + period_tsc; /* hopelessly behind: count it, start again */
        s->resyncs++;
    }
    if (now >= s->end) {
        wrmsr(MSR_TSC_DEADLINE, 0);
        s->done = 1;
    } else {
        wrmsr(MSR_TSC_DEADLINE, s->due);
    }
    smp_eoi();
}

static void wait_done(struct cpu_state *s)
{
    irq_disable();
    while (!s->done)
        sti_hlt();
}

static void run(void *arg)
{
    (void)arg;
    struct cpu_state *s = mine();
    uint64_t run_ticks = smpb_tsc_hz * secs;

    /* periodic */
    s->done = 0, s->have_prev = false;
    lapic_write(LAPIC_TIMER_DCR, TIMER_DIV_1);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_PERIODIC);
    s->end = rdtsc() + run_ticks;
    lapic_write(LAPIC_TIMER_ICR, lapic_count);
    wait_done(s);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_PERIODIC);

    /* TSC-deadline */
    if (cpu_has_tsc_deadline()) {
        s->done = 0;
        lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | VEC_DEADLINE);
        uint64_t now = rdtsc();
        s->end = now + run_ticks;
        s->due = now + period_tsc;
        wrmsr(MSR_TSC_DEADLINE, s->due);
        wait_done(s);
        lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_DEADLINE);
    }
    irq_disable();
}

/* the LAPIC timer's rate: the hypervisor timing leaf where there is one (baremu), else
 * counted against the TSC over CAL_MS */
static void lapic_rate(void)
{
    if (cpuid(1, 0).c & CPUID_1_ECX_HYPERVISOR && cpuid(0x40000000, 0).a >= CPUID_HV_TIMING &&
        cpuid(CPUID_HV_TIMING, 0).b) {
        lapic_hz = (uint64_t)cpuid(CPUID_HV_TIMING, 0).b * 1000;
        lapic_from = "cpuid-0x40000010";
        return;
    }
    lapic_write(LAPIC_TIMER_DCR, TIMER_DIV_1);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | VEC_PERIODIC);
    lapic_write(LAPIC_TIMER_ICR, ~0u);
    uint64_t t0 = rdtsc();
    uint32_t c0 = lapic_read(LAPIC_TIMER_CCR);
    uint64_t end = t0 + smpb_tsc_hz * CAL_MS / 1000;
    while (rdtsc() < end)
        cpu_pause();
    uint32_t c1 = lapic_read(LAPIC_TIMER_CCR);
    uint64_t t1 = rdtsc();
    lapic_write(LAPIC_TIMER_ICR, 0);
    lapic_hz = (uint64_t)(c0 - c1) * smpb_tsc_hz / (t1 - t0);
}

static const char *const timer_name[2] = {"periodic", "deadline"};

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    arg_u32("secs", &secs);
    arg_u32("hz", &rate);
    if (secs < 1 || secs > 3600 || rate < 10 || rate > 100000) {
        printf("jitter: error: secs=%u (1..3600) or hz=%u (10..100000) out of range\n", secs, rate);
        guest_exit(GUEST_FAIL);
    }
    smpb_tsc_init("jitter");
    lapic_rate();
    lapic_count = (uint32_t)(lapic_hz / rate);
    period_tsc = smpb_tsc_hz / rate;
    lapic_period_tsc = (uint64_t)lapic_count * smpb_tsc_hz / lapic_hz;
    bool deadline = cpu_has_tsc_deadline();
    printf("jitter: lapic_hz=%llu from=%s hz=%u secs=%u per timer, deadline=%s\n",
           (unsigned long long)lapic_hz, lapic_from, rate, secs,
           deadline ? "offered" : "not offered");
    for (unsigned i = 0; i < plat.ncpus; i++)
        index_of[plat.apic_id[i] & 0xff] = (uint8_t)i;
    idt_set_gate(VEC_PERIODIC, periodic_stub);
    idt_set_gate(VEC_DEADLINE, deadline_stub);
    unsigned up = smp_boot_workers(plat.ncpus);
    if (up + 1 != plat.ncpus) {
        printf("jitter: error: %u of %u APs came up\n", up, plat.ncpus - 1);
        guest_exit(GUEST_FAIL);
    }
    printf("jitter: measuring on %u vCPUs, %u s per timer...\n", plat.ncpus, secs);
    uart_flush();
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_async(plat.apic_id[i], run, NULL);
    run(NULL);
    for (unsigned i = 1; i < plat.ncpus; i++)
        if (!smp_call_wait(plat.apic_id[i], 4 * secs * 1000 + 10000))
            printf("jitter: error: cpu %u did not finish\n", i);

    for (int t = 0; t < 2; t++) {
        if (t == 1 && !deadline) {
            printf("jitter: deadline not offered (CPUID.01H:ECX[24] is clear)\n");
            break;
        }
        static struct smpb_hist all;
        memset(&all, 0, sizeof all);
        uint64_t missed = 0;
        char prefix[48];
        for (unsigned i = 0; i < plat.ncpus; i++) {
            snprintf(prefix, sizeof prefix, "jitter: %s cpu=%u missed=%llu", timer_name[t], i,
                     (unsigned long long)(t ? st[i].resyncs : st[i].missed[0]));
            smpb_print_summary(prefix, &st[i].hist[t]);
            smpb_hist_merge(&all, &st[i].hist[t]);
            missed += t ? st[i].resyncs : st[i].missed[0];
        }
        snprintf(prefix, sizeof prefix, "jitter: %s cpu=all missed=%llu", timer_name[t],
                 (unsigned long long)missed);
        smpb_print_summary(prefix, &all);
        snprintf(prefix, sizeof prefix, "jitter: %s", timer_name[t]);
        smpb_print_text_hist(prefix, &all);
    }
    printf("jitter: done\n");
    guest_exit(GUEST_PASS);
}
