/*
 * tests/guest/smp_halt.c: every CPU halts and wakes (issue 7), from its own
 * LAPIC timer and from the other CPUs' IPIs. Waiting is STI;HLT with the
 * condition checked with interrupts off first, so no wake-up is lost (an
 * interrupt that arrives before the HLT stays pending and ends it, SDM Vol 3A
 * 6.8.3 and 11.8.4).
 *
 * 1. own timers: rounds= times, every CPU at once arms its LAPIC timer in
 *    one-shot mode (ticks= counts at divide by 1, 11.5.4) and halts until it
 *    fires: all CPUs asleep together, each woken by its own timer.
 * 2. IPIs (2 CPUs or more): each round one CPU in turn waits until the others
 *    say they are halting, then wakes them all with one all-but-self IPI.
 * 3. all asleep (2 CPUs or more): every CPU halts, the BSP too, with only the
 *    BSP's timer armed; it wakes the BSP, whose handler wakes the others.
 *
 * A woken CPU waits for its own handler to have run before it ends the round:
 * a CPU may see the flag and pass the round's barrier before the IPI reaches
 * it, and the next round's IPI would then merge with this one (11.8.4). It
 * counts its wakes from before the round's first barrier, since a fast
 * waker's IPI may reach it while it still spins there.
 */
#include "rt/guest.h"
#include "rt/smp.h"

#define DEFAULT_ROUNDS 100u
#define DEFAULT_TICKS  20000u
#define VEC_TIMER      0x50
#define VEC_WAKE       0x51
#define WAIT_SPINS     200000000u

static uint32_t ncpus = 1, rounds = DEFAULT_ROUNDS, ticks = DEFAULT_TICKS;
static uint32_t apic_of[SMP_MAX_CPUS];
static uint8_t index_of[256];
static struct smp_barrier bar;
static volatile uint32_t timer_fired[SMP_MAX_CPUS], woken[SMP_MAX_CPUS];
static volatile uint32_t halting, wake_gen, all_gen, finished, waker_timeouts;
static volatile uint32_t unacked[SMP_MAX_CPUS];
static volatile bool phase3;

static unsigned me(void) { return index_of[lapic_id() & 0xff]; }

SMP_IRQ_STUB(timer_stub, timer_handler);
SMP_IRQ_STUB(wake_stub, wake_handler);

void timer_handler(void)
{
    unsigned i = me();
    timer_fired[i]++;
    if (phase3 && i == 0) { /* phase 3: the BSP's timer, the others asleep */
        __atomic_add_fetch(&all_gen, 1, __ATOMIC_ACQ_REL);
        smp_send_ipi_others(VEC_WAKE);
    }
    smp_eoi();
}

void wake_handler(void)
{
    woken[me()]++;
    smp_eoi();
}

static void arm_timer(void)
{
    lapic_write(LAPIC_TIMER_DCR, TIMER_DIV_1);
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot, unmasked */
    lapic_write(LAPIC_TIMER_ICR, ticks);
}

static void own_timers(unsigned i, uint32_t *sense)
{
    for (uint32_t r = 0; r < rounds; r++) {
        smp_barrier_wait(&bar, ncpus, sense);
        uint32_t before = timer_fired[i];
        __asm__ volatile("cli");
        arm_timer();
        while (timer_fired[i] == before)
            sti_hlt();
        __asm__ volatile("sti");
    }
}

/* with interrupts on: until this CPU's wake handler has run since before */
static void wait_woken(unsigned i, uint32_t before)
{
    uint32_t n = 0;
    while (woken[i] == before && n++ < WAIT_SPINS)
        cpu_pause();
    if (woken[i] == before)
        unacked[i]++;
}

static void ipi_wakes(unsigned i, uint32_t *sense)
{
    for (uint32_t r = 0; r < rounds; r++) {
        unsigned waker = r % ncpus;
        uint32_t before = woken[i]; /* every earlier wake has been taken: see wait_woken */
        smp_barrier_wait(&bar, ncpus, sense);
        if (i == waker) {
            uint32_t n = 0;
            while (__atomic_load_n(&halting, __ATOMIC_ACQUIRE) < ncpus - 1 && n++ < WAIT_SPINS)
                cpu_pause();
            if (halting < ncpus - 1)
                waker_timeouts++;
            halting = 0;
            __atomic_store_n(&wake_gen, r + 1, __ATOMIC_RELEASE);
            smp_send_ipi_others(VEC_WAKE);
        } else {
            __asm__ volatile("cli");
            __atomic_add_fetch(&halting, 1, __ATOMIC_ACQ_REL);
            while (__atomic_load_n(&wake_gen, __ATOMIC_ACQUIRE) != r + 1)
                sti_hlt();
            __asm__ volatile("sti");
            wait_woken(i, before);
        }
    }
}

static void all_asleep(unsigned i, uint32_t *sense)
{
    for (uint32_t r = 0; r < rounds; r++) {
        uint32_t before = woken[i];
        smp_barrier_wait(&bar, ncpus, sense);
        __asm__ volatile("cli");
        if (i == 0)
            arm_timer();
        while (__atomic_load_n(&all_gen, __ATOMIC_ACQUIRE) != r + 1)
            sti_hlt();
        __asm__ volatile("sti");
        if (i)
            wait_woken(i, before);
    }
}

static void work(unsigned i)
{
    uint32_t sense = 0;
    apic_of[i] = lapic_id();
    index_of[apic_of[i] & 0xff] = (uint8_t)i;
    lapic_sw_enable();
    smp_barrier_wait(&bar, ncpus, &sense);
    __asm__ volatile("sti");
    own_timers(i, &sense);
    smp_barrier_wait(&bar, ncpus, &sense);
    if (ncpus > 1) {
        ipi_wakes(i, &sense);
        smp_barrier_wait(&bar, ncpus, &sense);
        if (i == 0)
            phase3 = true;
        smp_barrier_wait(&bar, ncpus, &sense);
        all_asleep(i, &sense);
        smp_barrier_wait(&bar, ncpus, &sense);
    }
    __asm__ volatile("cli");
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    arg_u32("cpus", &ncpus);
    arg_u32("rounds", &rounds);
    arg_u32("ticks", &ticks);
    if (ncpus < 1 || ncpus > SMP_MAX_CPUS)
        tap_bail("cpus=%u is out of range", ncpus);
    tap_plan(6);
    pic_mask_all();
    idt_set_gate(VEC_TIMER, timer_stub);
    idt_set_gate(VEC_WAKE, wake_stub);

    unsigned up = ncpus > 1 ? smp_start_aps(ncpus, work) : 0;
    tap_ok(up == ncpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, ncpus - 1);
    if (up != ncpus - 1)
        tap_bail("not every AP came up");
    work(0);
    for (uint32_t spin = 0; finished < ncpus && spin < 2000000000u; spin++)
        cpu_pause();
    tap_ok(finished == ncpus, "all %u CPUs finished (%u did)", ncpus, finished);

    /* phase 1 fires every CPU's timer rounds times, phase 3 the BSP's again */
    bool timers_ok = true;
    for (unsigned k = 0; k < ncpus; k++) {
        uint32_t want = rounds + (ncpus > 1 && k == 0 ? rounds : 0);
        if (timer_fired[k] != want)
            tap_diag("CPU %u: its timer fired %u times, want %u", k, timer_fired[k], want);
        timers_ok &= timer_fired[k] == want;
    }
    tap_ok(timers_ok, "all CPUs halted at once, %u times, each woken by its own timer", rounds);
    if (ncpus > 1) {
        /* phase 2 wakes each CPU in the rounds it is not the waker; phase 3 every AP each round */
        bool wakes_ok = true;
        for (unsigned k = 0; k < ncpus; k++) {
            uint32_t mine = rounds / ncpus + (k < rounds % ncpus);
            uint32_t want = rounds - mine + (k ? rounds : 0);
            if (woken[k] != want)
                tap_diag("CPU %u: woken by %u IPIs, want %u", k, woken[k], want);
            wakes_ok &= woken[k] == want;
        }
        uint32_t nunacked = 0;
        for (unsigned k = 0; k < ncpus; k++)
            nunacked += unacked[k];
        tap_ok(waker_timeouts == 0 && nunacked == 0,
               "each waker saw the others halting, and each wake IPI arrived (%u, %u rounds short)",
               waker_timeouts, nunacked);
        tap_ok(wakes_ok, "halted CPUs woken by each other's IPIs, and by the BSP's timer's, "
                         "exactly once a round");
        tap_ok(all_gen == rounds, "every CPU asleep, woken by the BSP's timer: %u of %u rounds",
               all_gen, rounds);
    } else {
        tap_skip("one CPU", "each waker saw the others halting, and each wake IPI arrived");
        tap_skip("one CPU", "halted CPUs woken by IPIs");
        tap_skip("one CPU", "every CPU asleep, the BSP's timer wakes them");
    }
    tap_done();
}
