/*
 * tests/unit/test_host.c: emu/host.h as the hosted build implements it
 * (hosted/host.c): kicks are never lost, waits end at their deadline, vCPU
 * threads run, guest RAM comes zeroed and aligned.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "emu/host.h"

#define MS (host_tsc_hz() / 1000)

Test(host, clock_is_monotonic)
{
    uint64_t a = host_tsc(), b = host_tsc();
    cr_assert_geq(b, a);
    cr_assert_eq(host_tsc_hz(), 1000000000ull);
}

Test(host, kick_before_wait_is_not_lost)
{
    host_kick(5);
    cr_assert(host_wait(5, HOST_NO_DEADLINE), "a kick sent before the wait must end it at once");
    /* and it is consumed: the next wait runs to its deadline */
    cr_assert_not(host_wait(5, host_tsc() + 5 * MS));
}

Test(host, wait_ends_at_deadline)
{
    uint64_t start = host_tsc(), deadline = start + 20 * MS;
    cr_assert_not(host_wait(6, deadline));
    cr_assert_geq(host_tsc(), deadline);
    cr_assert_not(host_wait(6, start), "a deadline in the past returns at once");
}

static void *kicker(void *arg)
{
    usleep(10000);
    host_kick((unsigned)(uintptr_t)arg);
    return NULL;
}

Test(host, kick_from_another_thread_wakes_a_waiter)
{
    pthread_t t;
    pthread_create(&t, NULL, kicker, (void *)(uintptr_t)7);
    cr_assert(host_wait(7, host_tsc() + 10000 * MS), "woken by the kick, long before the deadline");
    pthread_join(t, NULL);
}

#define NVCPU 4
static int ran[NVCPU];
static void vcpu_fn(void *arg) { __atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST); }

Test(host, vcpus_run_and_join)
{
    for (unsigned i = 0; i < NVCPU; i++)
        cr_assert_eq(host_start_vcpu(i, vcpu_fn, &ran[i]), 0);
    cr_assert_eq(host_start_vcpu(0, vcpu_fn, &ran[0]), -1, "vCPU 0 is already running");
    host_join_vcpus();
    for (unsigned i = 0; i < NVCPU; i++)
        cr_assert_eq(ran[i], 1, "vCPU %u ran %d times", i, ran[i]);
    cr_assert_geq(host_cpu_count(), 1);
}

/* ping-pong between two vCPU threads through kicks alone: none may be lost */
#define ROUNDS 2000
static void pinger(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        host_kick(11);
        host_wait(10, HOST_NO_DEADLINE);
    }
}
static void ponger(void *arg)
{
    int *count = arg;
    for (int i = 0; i < ROUNDS; i++) {
        host_wait(11, HOST_NO_DEADLINE);
        (*count)++;
        host_kick(10);
    }
}

Test(host, kick_ping_pong_loses_nothing, .timeout = 30)
{
    int count = 0;
    cr_assert_eq(host_start_vcpu(10, pinger, NULL), 0);
    cr_assert_eq(host_start_vcpu(11, ponger, &count), 0);
    host_join_vcpus();
    cr_assert_eq(count, ROUNDS);
}

Test(host, ram_is_zeroed_and_aligned)
{
    uint64_t size = 64ull << 20;
    uint8_t *ram = host_ram_alloc(size);
    cr_assert_not_null(ram);
    cr_assert_eq((uintptr_t)ram % (2u << 20), 0, "2 MiB aligned");
    for (uint64_t i = 0; i < size; i += 4096)
        cr_assert_eq(ram[i], 0);
    ram[size - 1] = 1; /* the whole size is writable */
}
