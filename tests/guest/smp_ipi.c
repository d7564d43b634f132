/*
 * tests/guest/smp_ipi.c: an IPI ping-pong storm (issue 7). Fixed IPIs
 * through the xAPIC ICR (SDM Vol 3A 11.6.1), physical destinations.
 *
 * 1. running: the CPUs form a ring; each CPU sends a ping to the next and
 *    waits for the pong, spinning with interrupts on, trips= times, all CPUs
 *    at once. The ping handler answers with a pong to the CPU before it.
 * 2. halted: the same, but each CPU waits for its pong in HLT (STI; HLT,
 *    SDM Vol 3A 6.8.3), so pings often find their target halted.
 * 3. halted target (2 CPUs or more): the BSP pings the APs in turn while
 *    they do nothing but HLT.
 * 4. flood (2 CPUs or more): every CPU sends trips= all-but-self IPIs without
 *    waiting. A fixed IPI that finds its vector already pending merges with
 *    it (11.8.4), so the count is not exact: each CPU must take at least one
 *    and at most (CPUs - 1) * trips, and the ring must work afterwards.
 *
 * Only one ping and one pong are ever in flight per CPU in 1-3, so every
 * count is exact: each CPU takes trips pings and trips pongs per phase.
 * trips=100000 is the 100,000 round trips (per CPU and phase);
 * make test runs fewer.
 */
#include "rt/guest.h"
#include "rt/smp.h"

#define DEFAULT_TRIPS 1000u
#define VEC_PING      0x40 /* answered by a pong to the ring's previous CPU */
#define VEC_PONG      0x41
#define VEC_PING_BSP  0x42 /* answered by a pong to the BSP */
#define VEC_FLOOD     0x43
#define WAIT_SPINS    200000000u /* a lost IPI must not hang the test */

static uint32_t ncpus = 1, trips = DEFAULT_TRIPS;
static uint32_t apic_of[SMP_MAX_CPUS];
static uint8_t index_of[256];
static struct smp_barrier bar;
static volatile uint32_t pings[SMP_MAX_CPUS], pongs[SMP_MAX_CPUS], floods[SMP_MAX_CPUS];
static volatile uint32_t lost[SMP_MAX_CPUS];
static volatile uint32_t stop_halting, finished;

static unsigned me(void) { return index_of[lapic_id() & 0xff]; }
static unsigned prev_of(unsigned i) { return (i + ncpus - 1) % ncpus; }
static unsigned next_of(unsigned i) { return (i + 1) % ncpus; }

SMP_IRQ_STUB(ping_stub, ping_handler);
SMP_IRQ_STUB(pong_stub, pong_handler);
SMP_IRQ_STUB(ping_bsp_stub, ping_bsp_handler);
SMP_IRQ_STUB(flood_stub, flood_handler);

void ping_handler(void)
{
    unsigned i = me();
    pings[i]++;
    smp_send_ipi(apic_of[prev_of(i)], VEC_PONG);
    smp_eoi();
}

void ping_bsp_handler(void)
{
    pings[me()]++;
    smp_send_ipi(apic_of[0], VEC_PONG);
    smp_eoi();
}

void pong_handler(void)
{
    pongs[me()]++;
    smp_eoi();
}

void flood_handler(void)
{
    floods[me()]++;
    smp_eoi();
}

/* one round trip: ping, then wait for the pong, spinning or halted */
static void round_trip(unsigned i, uint32_t dest, uint8_t vector, bool halt)
{
    uint32_t before = pongs[i];
    smp_send_ipi(dest, vector);
    if (halt) {
        __asm__ volatile("cli");
        for (uint32_t n = 0; pongs[i] == before && n < WAIT_SPINS; n++)
            sti_hlt();
        __asm__ volatile("sti");
    } else {
        for (uint32_t n = 0; pongs[i] == before && n < WAIT_SPINS; n++)
            cpu_pause();
    }
    if (pongs[i] == before)
        lost[i]++;
}

static void work(unsigned i)
{
    uint32_t sense = 0;
    apic_of[i] = lapic_id();
    index_of[apic_of[i] & 0xff] = (uint8_t)i;
    smp_barrier_wait(&bar, ncpus, &sense);
    __asm__ volatile("sti");

    for (int halt = 0; halt < 2; halt++) { /* phases 1 and 2 */
        smp_barrier_wait(&bar, ncpus, &sense);
        for (uint32_t t = 0; t < trips; t++)
            round_trip(i, apic_of[next_of(i)], VEC_PING, halt);
        smp_barrier_wait(&bar, ncpus, &sense);
    }
    if (ncpus > 1) { /* phase 3: the BSP pings halted APs */
        if (i == 0) {
            for (uint32_t t = 0; t < trips; t++)
                round_trip(0, apic_of[1 + t % (ncpus - 1)], VEC_PING_BSP, false);
            __atomic_store_n(&stop_halting, 1, __ATOMIC_RELEASE);
            smp_send_ipi_others(VEC_FLOOD); /* wake them to see it */
        } else {
            __asm__ volatile("cli");
            while (!__atomic_load_n(&stop_halting, __ATOMIC_ACQUIRE))
                sti_hlt();
            __asm__ volatile("sti");
        }
        smp_barrier_wait(&bar, ncpus, &sense);
        floods[i] = 0;
        smp_barrier_wait(&bar, ncpus, &sense);
        for (uint32_t t = 0; t < trips; t++) /* phase 4 */
            smp_send_ipi_others(VEC_FLOOD);
        smp_barrier_wait(&bar, ncpus, &sense);
        round_trip(i, apic_of[next_of(i)], VEC_PING, false); /* still answering? */
        smp_barrier_wait(&bar, ncpus, &sense);
    }
    __asm__ volatile("cli");
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    arg_u32("cpus", &ncpus);
    arg_u32("trips", &trips);
    if (ncpus < 1 || ncpus > SMP_MAX_CPUS)
        tap_bail("cpus=%u is out of range", ncpus);
    tap_plan(6);
    pic_mask_all();
    lapic_sw_enable();
    idt_set_gate(VEC_PING, ping_stub);
    idt_set_gate(VEC_PONG, pong_stub);
    idt_set_gate(VEC_PING_BSP, ping_bsp_stub);
    idt_set_gate(VEC_FLOOD, flood_stub);

    unsigned up = ncpus > 1 ? smp_start_aps(ncpus, work) : 0;
    tap_ok(up == ncpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, ncpus - 1);
    if (up != ncpus - 1)
        tap_bail("not every AP came up");
    work(0);
    for (uint32_t spin = 0; finished < ncpus && spin < 2000000000u; spin++)
        cpu_pause();
    tap_ok(finished == ncpus, "all %u CPUs finished (%u did)", ncpus, finished);

    uint32_t nlost = 0;
    for (unsigned k = 0; k < ncpus; k++)
        nlost += lost[k];
    tap_ok(nlost == 0, "no ping went unanswered (%u did)", nlost);

    /* what each CPU must have taken: phases 1 and 2, trips of each; phase 3,
     * the BSP's pongs and the APs' share of its pings; the last check, one each */
    bool pings_ok = true, pongs_ok = true;
    for (unsigned k = 0; k < ncpus; k++) {
        uint32_t want_ping = 2 * trips, want_pong = 2 * trips;
        if (ncpus > 1) {
            want_ping += 1, want_pong += 1;
            if (k == 0)
                want_pong += trips;
            else
                want_ping += trips / (ncpus - 1) + (k - 1 < trips % (ncpus - 1));
        }
        if (pings[k] != want_ping || pongs[k] != want_pong)
            tap_diag("CPU %u took %u pings (want %u) and %u pongs (want %u)", k, pings[k],
                     want_ping, pongs[k], want_pong);
        pings_ok &= pings[k] == want_ping;
        pongs_ok &= pongs[k] == want_pong;
    }
    tap_ok(pings_ok, "every CPU took exactly its pings: the ring's and the BSP's to halted APs");
    tap_ok(pongs_ok, "every CPU took exactly its pongs: %u round trips in all",
           2 * trips * ncpus + (ncpus > 1 ? trips + ncpus : 0));
    if (ncpus > 1) {
        bool flood_ok = true;
        for (unsigned k = 0; k < ncpus; k++)
            flood_ok &= floods[k] >= 1 && floods[k] <= (ncpus - 1) * trips;
        tap_ok(flood_ok, "flood: each CPU took between 1 and %u of the broadcasts (CPU 0: %u)",
               (ncpus - 1) * trips, floods[0]);
    } else {
        tap_skip("one CPU", "flood of all-but-self IPIs");
    }
    tap_done();
}
