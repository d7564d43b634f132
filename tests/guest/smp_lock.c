/*
 * tests/guest/smp_lock.c: every CPU of the guest at once on shared memory
 * (issue 7's first stress checks): all APs start by INIT-SIPI-SIPI, then
 * every CPU does iters= LOCK XADDs on one counter, and lock_iters=
 * increments of a plain counter under a ticket spinlock. Both totals must be
 * exact. iters=1000000 is the figure; make test runs fewer.
 */
#include "rt/guest.h"
#include "rt/smp.h"

#define DEFAULT_ITERS 100000u
/* a ticket lock handed between more vCPUs than the host has cores waits on
 * the host's scheduler at every hand-over, so it gets fewer rounds */
#define DEFAULT_LOCK_ITERS 500u

static uint32_t iters = DEFAULT_ITERS, lock_iters = DEFAULT_LOCK_ITERS;
static volatile uint32_t xadd_counter;
static volatile uint32_t plain_counter;
static volatile uint32_t ticket_next, ticket_serving;
static volatile uint32_t go, done;

static void ticket_lock(void)
{
    uint32_t me = __atomic_fetch_add(&ticket_next, 1, __ATOMIC_ACQUIRE); /* LOCK XADD */
    while (__atomic_load_n(&ticket_serving, __ATOMIC_ACQUIRE) != me)
        __asm__ volatile("pause");
}

static void ticket_unlock(void) { __atomic_store_n(&ticket_serving, ticket_serving + 1, __ATOMIC_RELEASE); }

static void work(unsigned index)
{
    (void)index;
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    for (uint32_t i = 0; i < iters; i++)
        __asm__ volatile("lock xaddl %0, %1" : "+r"((uint32_t){1}), "+m"(xadd_counter)::"memory");
    for (uint32_t i = 0; i < lock_iters; i++) {
        ticket_lock();
        plain_counter = plain_counter + 1; /* not atomic: the lock must make it so */
        ticket_unlock();
    }
    __atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    uint32_t cpus = 1;
    arg_u32("cpus", &cpus);
    arg_u32("iters", &iters);
    arg_u32("lock_iters", &lock_iters);
    tap_plan(4);
    unsigned up = cpus > 1 ? smp_start_aps(cpus, work) : 0;
    tap_ok(up == cpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, cpus - 1);
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    work(0);
    for (uint32_t spin = 0; done < cpus && spin < 2000000000u; spin++)
        __asm__ volatile("pause");
    tap_ok(done == cpus, "all %u CPUs finished (%u did)", cpus, done);
    tap_ok(xadd_counter == cpus * iters, "LOCK XADD counter is exact: %u, want %u", xadd_counter,
           cpus * iters);
    tap_ok(plain_counter == cpus * lock_iters, "ticket-locked counter is exact: %u, want %u",
           plain_counter, cpus * lock_iters);
    tap_done();
}
