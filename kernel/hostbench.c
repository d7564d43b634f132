/*
 * kernel/hostbench.c: -hostbench measures the host itself, with nothing
 * else running: IPI round trips between every pair of cores (the target
 * busy, and the target halted), and a "quiet core" test that looks for
 * anything stealing time from a core (SMIs, virtualization exits).
 * The figures are reported, never asserted; bench/host.sh keeps them.
 */
#include <stdlib.h>

#include "emu/host.h"
#include "kernel/hostbench.h"
#include "kernel/apic.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/ipi.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/tsc.h"

#define TRIPS 10000
#define QUIET_SECONDS 1
#define QUIET_DISTURBANCE_NS 1000 /* a gap longer than this counts as a disturbance */
#define ALL_PAIRS_MAX 8           /* beyond this many cores, only pairs with core 0 */

static uint64_t samples[TRIPS];

struct pair_job {
    unsigned from, to;
    bool target_halted;
    volatile bool done;
    volatile bool target_spinning;
    volatile bool stop_spinning;
};

static uint64_t ns(uint64_t cycles) { return (uint64_t)((unsigned __int128)cycles * 1000000000u / tsc_hz); }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, const struct pair_job *j, uint64_t *s, unsigned n)
{
    qsort(s, n, sizeof *s, cmp_u64);
    kprintf("hostbench: %s cpu%u->cpu%u: min %llu median %llu p99 %llu max %llu ns (%u trips)\n",
            what, j->from, j->to, (unsigned long long)ns(s[0]), (unsigned long long)ns(s[n / 2]),
            (unsigned long long)ns(s[n * 99 / 100]), (unsigned long long)ns(s[n - 1]), n);
}

/* on core j->to: stay busy, interrupts on, until told to stop */
static void spin_target(void *arg)
{
    struct pair_job *j = arg;
    j->target_spinning = true;
    while (!j->stop_spinning)
        cpu_relax();
}

/* on core j->from: TRIPS round trips to j->to */
static void pair_run(struct pair_job *j)
{
    uint32_t dest = percpu[j->to].apic_id;
    for (unsigned i = 0; i < TRIPS; i++) {
        uint64_t seq = (uint64_t)j->from << 32 | (i + 1);
        ipi_ping[j->to] = seq;
        if (j->target_halted)
            tsc_delay_us(20); /* let the target reach HLT again */
        uint64_t t0 = rdtsc();
        apic_send_fixed(dest, VEC_CALL);
        while (__atomic_load_n(&ipi_pong[j->to].seq, __ATOMIC_ACQUIRE) != seq)
            cpu_relax();
        samples[i] = rdtsc() - t0;
    }
}

static void pair_job_on_core(void *arg)
{
    struct pair_job *j = arg;
    pair_run(j);
    j->done = true;
    if (j->to == 0)
        apic_send_fixed(percpu[0].apic_id, VEC_KICK); /* the boot CPU may be halted */
}

/* the boot CPU drives; when it is itself the target it spins or halts here */
static void bench_pair(unsigned from, unsigned to, bool halted)
{
    struct pair_job j = {.from = from, .to = to, .target_halted = halted};
    if (!halted && to != 0) {
        smp_post(to, spin_target, &j);
        while (!j.target_spinning)
            cpu_relax();
    }
    if (from == 0)
        pair_run(&j);
    else {
        smp_post(from, pair_job_on_core, &j);
        while (!j.done) {
            if (to == 0 && halted) {
                /* look at done with interrupts off and halt in STI's shadow, so
                 * the last kick cannot land between the look and the HLT */
                __asm__ volatile("cli" ::: "memory");
                if (!j.done)
                    __asm__ volatile("sti; hlt" ::: "memory");
                __asm__ volatile("sti" ::: "memory");
            } else {
                cpu_relax(); /* interrupts on: the boot CPU may be the target */
            }
        }
    }
    j.stop_spinning = true;
    report(halted ? "wake from hlt  " : "ipi round trip ", &j, samples, TRIPS);
}

struct quiet_job {
    volatile bool done;
    uint64_t longest, disturbances, reads;
};

static void quiet_core(void *arg)
{
    struct quiet_job *q = arg;
    uint64_t limit = tsc_from_us(QUIET_DISTURBANCE_NS / 1000), longest = 0, count = 0, reads = 0;
    uint64_t start = rdtsc(), end = start + tsc_hz * QUIET_SECONDS, prev = start;
    __asm__ volatile("cli"); /* only what the platform itself does can interrupt us */
    for (uint64_t now; (now = rdtsc()) < end; prev = now, reads++) {
        uint64_t gap = now - prev;
        if (gap > longest)
            longest = gap;
        if (gap > limit)
            count++;
    }
    __asm__ volatile("sti");
    q->longest = longest;
    q->disturbances = count;
    q->reads = reads;
    q->done = true;
}

/*
 * Through emu/host.h, as a vCPU will use it: a vCPU on core 1 waits in
 * host_wait(); the boot CPU kicks it and times how long until it answers.
 * Then the same vCPU waits for deadlines 100 us ahead and records how late
 * host_wait() returns: the timer lateness a guest's timers will inherit.
 */
#define HOST_ROUNDS 2000
#define DEADLINE_AHEAD_US 100
static struct {
    volatile uint64_t seq, reply;
    uint64_t late[HOST_ROUNDS];
} hb;

static void host_vcpu(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    for (uint64_t i = 1; i <= HOST_ROUNDS; i++) {
        while (hb.seq != i)
            host_wait(me, HOST_NO_DEADLINE);
        __atomic_store_n(&hb.reply, i, __ATOMIC_RELEASE);
    }
    for (unsigned i = 0; i < HOST_ROUNDS; i++) {
        uint64_t deadline = host_tsc() + tsc_from_us(DEADLINE_AHEAD_US);
        while (host_wait(me, deadline))
            ; /* woken early by a stray kick: wait on */
        hb.late[i] = host_tsc() - deadline;
    }
}

static void bench_host_interface(void)
{
    const unsigned target = 1;
    struct pair_job j = {.from = 0, .to = target};
    host_start_vcpu(target, host_vcpu, (void *)(uintptr_t)target);
    for (unsigned i = 0; i < HOST_ROUNDS; i++) {
        tsc_delay_us(20); /* let it settle into HLT */
        uint64_t t0 = rdtsc();
        hb.seq = i + 1;
        host_kick(target);
        while (__atomic_load_n(&hb.reply, __ATOMIC_ACQUIRE) != i + 1)
            cpu_relax();
        samples[i] = rdtsc() - t0;
    }
    report("host_kick->wake", &j, samples, HOST_ROUNDS);
    host_join_vcpus();
    report("deadline late  ", &j, hb.late, HOST_ROUNDS);
}

void hostbench_run(void)
{
    __asm__ volatile("sti"); /* the boot CPU answers IPIs too */
    unsigned n = ncpus_online;
    kprintf("hostbench: %u cores, TSC %llu kHz (%s)\n", n, (unsigned long long)(tsc_hz / 1000),
            tsc_source);
    for (unsigned a = 0; a < n; a++)
        for (unsigned b = 0; b < n; b++) {
            if (a == b || !percpu[a].online || !percpu[b].online)
                continue;
            if (n > ALL_PAIRS_MAX && a != 0 && b != 0)
                continue;
            bench_pair(a, b, false);
            bench_pair(a, b, true);
        }
    if (n > 1 && percpu[1].online)
        bench_host_interface();
    for (unsigned c = 0; c < n; c++) {
        if (!percpu[c].online || (c == 0 && n > 1))
            continue; /* the boot CPU only when it is alone: it drives the rest */
        struct quiet_job q = {0};
        if (c == 0)
            quiet_core(&q);
        else
            smp_post(c, quiet_core, &q);
        while (!q.done)
            cpu_relax();
        kprintf("hostbench: quiet core cpu%u: %u s, %llu TSC reads, longest gap %llu ns, "
                "%llu gaps over %u ns, loop cost %llu ns\n",
                c, QUIET_SECONDS, (unsigned long long)q.reads, (unsigned long long)ns(q.longest),
                (unsigned long long)q.disturbances, QUIET_DISTURBANCE_NS,
                (unsigned long long)(q.reads ? ns(tsc_hz * QUIET_SECONDS) / q.reads : 0));
    }
    __asm__ volatile("cli");
    kprintf("hostbench: done\n");
}
