/*
 * hosted/host.c: emu/host.h on Linux. A vCPU is a pthread, pinned to core
 * i when the machine has that many cores; a kick is an atomic flag plus a
 * futex wake; the clock is CLOCK_MONOTONIC in nanoseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "emu/host.h"

#define MAX_VCPUS 1024
#define NS_PER_S  1000000000ull
#define RAM_ALIGN (2ull << 20)

struct vcpu_thread {
    pthread_t thread;
    bool started;
    void (*fn)(void *);
    void *arg;
    unsigned index;
    uint32_t kick; /* futex word: 1 while a kick is pending */
} __attribute__((aligned(64)));

static struct vcpu_thread vcpus[MAX_VCPUS];
static unsigned nthreads; /* started so far */

unsigned host_cpu_count(void)
{
    static unsigned count; /* asked once: host_wait() wants it on every wait */
    unsigned c = __atomic_load_n(&count, __ATOMIC_RELAXED);
    if (!c) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c = n > 0 ? (unsigned)n : 1;
        __atomic_store_n(&count, c, __ATOMIC_RELAXED);
    }
    return c;
}

static void *vcpu_main(void *p)
{
    struct vcpu_thread *v = p;
    /* a timed futex wait may otherwise end up to 50 us late (Linux's default
     * timer slack, prctl(2)): that would be every guest timer's lateness */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    v->fn(v->arg);
    return NULL;
}

int host_start_vcpu(unsigned index, void (*fn)(void *arg), void *arg)
{
    if (index >= MAX_VCPUS || vcpus[index].started) {
        host_log("host: cannot start vCPU %u\n", index);
        return -1;
    }
    struct vcpu_thread *v = &vcpus[index];
    v->fn = fn;
    v->arg = arg;
    v->index = index;
    int err = pthread_create(&v->thread, NULL, vcpu_main, v);
    if (err) {
        host_log("host: vCPU %u: pthread_create: %s\n", index, strerror(err));
        return -1;
    }
    v->started = true;
    __atomic_add_fetch(&nthreads, 1, __ATOMIC_RELAXED);
    if (index < host_cpu_count()) { /* one core per vCPU where there are enough */
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(index, &set);
        pthread_setaffinity_np(v->thread, sizeof set, &set); /* best effort */
    }
    return 0;
}

void host_join_vcpus(void)
{
    for (unsigned i = 0; i < MAX_VCPUS; i++)
        if (vcpus[i].started) {
            pthread_join(vcpus[i].thread, NULL);
            vcpus[i].started = false;
            __atomic_sub_fetch(&nthreads, 1, __ATOMIC_RELAXED);
        }
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *timeout)
{
    return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

void host_kick(unsigned index)
{
    if (index >= MAX_VCPUS)
        return;
    uint32_t *w = &vcpus[index].kick;
    if (__atomic_exchange_n(w, 1, __ATOMIC_SEQ_CST) == 0)
        futex(w, FUTEX_WAKE_PRIVATE, 1, NULL);
}

/*
 * A futex sleep wakes some tens of microseconds after its timeout or its
 * wake (the scheduler's wake-up latency, more in a VM), and that would be
 * every guest timer's lateness and every halted vCPU's IPI latency. So where
 * every thread has a core of its own, a wait first polls the kick word for
 * HALT_POLL_NS (as KVM's halt polling does), and the last WAIT_SPIN_NS before
 * a deadline are spent spinning on the kick word and the clock. With more
 * threads than cores a spinning thread would take another's core: no spin.
 */
#define WAIT_SPIN_NS 100000ull
#define HALT_POLL_NS 50000ull

static bool may_spin(void)
{
    return __atomic_load_n(&nthreads, __ATOMIC_RELAXED) <= host_cpu_count();
}

static bool spin_until(uint32_t *w, uint64_t deadline)
{
    while (host_tsc() < deadline) {
        if (__atomic_load_n(w, __ATOMIC_RELAXED) && __atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST))
            return true;
        __builtin_ia32_pause();
    }
    return __atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST);
}

bool host_wait(unsigned index, uint64_t deadline)
{
    uint32_t *w = &vcpus[index].kick;
    bool spin = may_spin();
    if (spin) {
        uint64_t poll_end = host_tsc() + HALT_POLL_NS;
        if (spin_until(w, poll_end < deadline ? poll_end : deadline))
            return true;
    }
    for (;;) {
        if (__atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST))
            return true;
        struct timespec ts, *tsp = NULL;
        if (deadline != HOST_NO_DEADLINE) {
            uint64_t now = host_tsc();
            if (now >= deadline)
                return false;
            uint64_t tail = spin ? WAIT_SPIN_NS : 0;
            if (deadline - now <= tail)
                return spin_until(w, deadline);
            uint64_t left = deadline - now - tail; /* sleep, then spin the rest */
            ts.tv_sec = (time_t)(left / NS_PER_S);
            ts.tv_nsec = (long)(left % NS_PER_S);
            tsp = &ts;
        }
        /* sleeps only while the word is still 0: a kick in between is not lost */
        futex(w, FUTEX_WAIT_PRIVATE, 0, tsp);
    }
}

void host_pause(unsigned index)
{
    (void)index;
    sched_yield();
}

uint64_t host_tsc(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t host_tsc_hz(void)
{
    return NS_PER_S;
}

void host_console_write(const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

size_t host_console_read(char *buf, size_t len)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (len == 0 || poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
        return 0;
    ssize_t n = read(STDIN_FILENO, buf, len);
    return n > 0 ? (size_t)n : 0;
}

void *host_ram_alloc(uint64_t bytes)
{
    /* over-allocate to align to 2 MiB, so the host can back it with huge pages */
    size_t len = (size_t)bytes + RAM_ALIGN;
    uint8_t *p =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        host_log("host: cannot map %llu MiB of guest RAM: %s\n", (unsigned long long)(bytes >> 20),
                 strerror(errno));
        return NULL;
    }
    uint8_t *aligned = (uint8_t *)(((uintptr_t)p + RAM_ALIGN - 1) & ~(uintptr_t)(RAM_ALIGN - 1));
    if (aligned > p)
        munmap(p, (size_t)(aligned - p));
    size_t tail = (size_t)((p + len) - (aligned + bytes));
    if (tail)
        munmap(aligned + bytes, tail);
    madvise(aligned, (size_t)bytes, MADV_HUGEPAGE);
    return aligned;
}

void host_vlog(const char *fmt, va_list ap)
{
    vfprintf(stderr, fmt, ap);
}

void host_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_vlog(fmt, ap);
    va_end(ap);
}

void host_panic(const char *fmt, ...)
{
    va_list ap;
    fputs("baremu: host panic: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
