/*
 * test_pause.c: the machine pause protocol (emu/pause.c) with real threads
 * standing in for vCPUs: they count while they run and park when asked,
 * the way the run loop does. While a pause holds, no other vCPU moves; two
 * vCPUs asking at once take turns instead of waiting for each other.
 */
#include <criterion/criterion.h>
#include <pthread.h>

#include "emu/machine.h"

#define NVCPU  3
#define ROUNDS 200

static struct machine m; /* large: zeroed, only what the protocol uses is set */
static volatile uint64_t counts[NVCPU];
static volatile uint32_t rounds2;
static volatile int quit, done, holders, max_holders, frozen_broken;

static void take_requests(unsigned i)
{
    struct lapic *l = &m.pc.lapic[i];
    if (lapic_events(l) & MACHINE_EV_PAUSE) {
        lapic_take_events(l, MACHINE_EV_PAUSE);
        machine_park(&m, i);
    }
}

/* hold the machine: nobody else counts meanwhile */
static void hold(int self)
{
    machine_pause(&m, self);
    if (__atomic_load_n(&m.parked, __ATOMIC_SEQ_CST) != NVCPU - 1)
        frozen_broken = 1; /* it returned before every other vCPU parked */
    int h = __atomic_add_fetch(&holders, 1, __ATOMIC_SEQ_CST);
    if (h > max_holders)
        max_holders = h;
    uint64_t before[NVCPU];
    for (unsigned k = 0; k < NVCPU; k++)
        before[k] = counts[k];
    for (volatile int spin = 0; spin < 20000; spin++)
        ;
    for (unsigned k = 0; k < NVCPU; k++)
        if ((int)k != self && counts[k] != before[k])
            frozen_broken = 1;
    __atomic_sub_fetch(&holders, 1, __ATOMIC_SEQ_CST);
    machine_resume(&m);
}

static void *vcpu_thread(void *arg)
{
    unsigned i = (unsigned)(uintptr_t)arg;
    for (uint64_t n = 0; !quit; n++) {
        take_requests(i);
        counts[i]++;
        if (i == 2 && n % 64 == 0) {
            hold((int)i); /* a second requester */
            rounds2++;
        }
    }
    __atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < NVCPU) /* a requester may wait on us */
        take_requests(i);
    return NULL;
}

Test(pause, stops_every_other_vcpu)
{
    memset(&m, 0, sizeof m);
    m.cfg.ncpus = NVCPU;
    pthread_t t[NVCPU];
    for (unsigned i = 1; i < NVCPU; i++)
        pthread_create(&t[i], NULL, vcpu_thread, (void *)(uintptr_t)i);
    for (unsigned r = 0; r < ROUNDS; r++) {
        take_requests(0);
        hold(0);
        counts[0]++;
    }
    quit = 1;
    __atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < NVCPU)
        take_requests(0);
    for (unsigned i = 1; i < NVCPU; i++)
        pthread_join(t[i], NULL);
    cr_assert_not(frozen_broken, "a vCPU ran while another held the machine");
    cr_assert_eq(max_holders, 1, "two held the machine at once");
    cr_assert_gt(counts[1], 0);
    cr_assert_gt(counts[2], 0);
    cr_assert_eq(m.pause_gen, ROUNDS + rounds2, "every round ended");
}

Test(pause, a_stopping_machine_does_not_wait)
{
    memset(&m, 0, sizeof m);
    m.cfg.ncpus = NVCPU;
    m.stopping = 1; /* nobody will park */
    machine_pause(&m, -1);
    machine_resume(&m);
    cr_assert_eq(m.pause_gen, 1);
}
