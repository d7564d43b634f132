/*
 * tests/guest/smp_tlb.c: TLB shootdowns and the paging A/D bits across CPUs
 * (issue 7), with 32-bit paging (SDM Vol 3A 4.3).
 *
 * 1. shootdown, rounds= times: every CPU reads a page of a window, so its
 *    TLB may hold the translation; one CPU in turn points the page-table
 *    entry at another frame, INVLPGs locally (4.10.4.1) and sends every
 *    other CPU an IPI, whose handler INVLPGs and acknowledges; once all have,
 *    every CPU reads the page again and must see the new frame. INVLPG is
 *    local: it is the IPI protocol that makes the change machine-wide
 *    (4.10.5, "Propagation of Paging-Structure Changes to Multiple Processors").
 * 2. A and D: each CPU clears the flags of its own page's entry, reads the
 *    page (A is set, 4.8) and writes it (D is set).
 * 3. atomic A/D (2 CPUs or more): the BSP swaps one entry between two frames
 *    with XCHG ad_iters= times while the other CPUs walk it over and over
 *    (INVLPG, read, write). The processor sets A and D with locked cycles
 *    (SDM Vol 3A 9.1.2.1, "Automatic Locking"), so it never writes back an
 *    entry the BSP has replaced: each XCHG returns the frame the previous one
 *    put there.
 */
#include "rt/guest.h"
#include "rt/paging32.h"
#include "rt/smp.h"

#define DEFAULT_ROUNDS   200u
#define DEFAULT_AD_ITERS 20000u
#define WINDOW           0x40000000u /* 4 MiB of 4 KiB pages */
#define SHOOT_SLOT       0           /* the page of part 1 */
#define OWN_SLOT(i)      (1 + (i))   /* each CPU's page of part 2 */
#define AD_SLOT          (OWN_SLOT(SMP_MAX_CPUS)) /* the page of part 3 */
#define SLOT_LIN(s)      (WINDOW + (s)*PG_SIZE)
#define NFRAMES          4
#define MARK(f)          (0xf00d0000u + (f))
#define VEC_SHOOT        0x48
#define WAIT_SPINS       200000000u

static uint32_t ncpus = 1, rounds = DEFAULT_ROUNDS, ad_iters = DEFAULT_AD_ITERS;
static uint32_t pd[PD_ENTRIES] __attribute__((aligned(4096)));
static uint32_t pt[PD_ENTRIES] __attribute__((aligned(4096)));
static uint8_t frames[NFRAMES][PG_SIZE] __attribute__((aligned(4096)));
static uint8_t own_pages[SMP_MAX_CPUS][PG_SIZE] __attribute__((aligned(4096)));
static struct smp_barrier bar;
static volatile uint32_t acks, lost_acks, walkers_stop, finished;
static volatile uint32_t warm_errors[SMP_MAX_CPUS], stale[SMP_MAX_CPUS], own_stale[SMP_MAX_CPUS];
static volatile uint32_t a_missing[SMP_MAX_CPUS], d_missing[SMP_MAX_CPUS];
static volatile uint32_t walks[SMP_MAX_CPUS];
static volatile uint32_t xchg_wrong, xchg_a_seen;

static uint32_t pte_of(const void *frame) { return (uint32_t)(uintptr_t)frame | PG_RW | PG_P; }
static volatile uint32_t *at(uint32_t slot) { return (volatile uint32_t *)(uintptr_t)SLOT_LIN(slot); }

SMP_IRQ_STUB(shoot_stub, shoot_handler);

void shoot_handler(void)
{
    invlpg(SLOT_LIN(SHOOT_SLOT));
    __atomic_add_fetch(&acks, 1, __ATOMIC_ACQ_REL);
    smp_eoi();
}

static void shootdown(unsigned me, uint32_t *sense)
{
    for (uint32_t r = 0; r < rounds; r++) {
        uint32_t cur = r % NFRAMES, next = (r + 1) % NFRAMES;
        smp_barrier_wait(&bar, ncpus, sense);
        if (*at(SHOOT_SLOT) != MARK(cur)) /* and the translation may now be cached */
            warm_errors[me]++;
        smp_barrier_wait(&bar, ncpus, sense);
        if (me == r % ncpus) {
            acks = 0;
            pt[SHOOT_SLOT] = pte_of(frames[next]);
            invlpg(SLOT_LIN(SHOOT_SLOT));
            if (*at(SHOOT_SLOT) != MARK(next))
                own_stale[me]++;
            if (ncpus > 1)
                smp_send_ipi_others(VEC_SHOOT);
            uint32_t n = 0;
            while (__atomic_load_n(&acks, __ATOMIC_ACQUIRE) < ncpus - 1 && n++ < WAIT_SPINS)
                cpu_pause();
            if (acks < ncpus - 1)
                lost_acks++;
        }
        smp_barrier_wait(&bar, ncpus, sense); /* interrupts on: the IPI is taken here */
        if (*at(SHOOT_SLOT) != MARK(next))
            stale[me]++;
    }
}

static void accessed_dirty(unsigned me)
{
    uint32_t slot = OWN_SLOT(me);
    pt[slot] = pte_of(own_pages[me]);
    invlpg(SLOT_LIN(slot));
    (void)*at(slot);
    if (!(pt[slot] & PG_A))
        a_missing[me]++;
    if (pt[slot] & PG_D)
        d_missing[me]++; /* a read must not set D */
    *at(slot) = me;
    if (!(pt[slot] & PG_D))
        d_missing[me]++;
}

/* part 3: the BSP swaps the entry; the others walk it */
static void ad_race(unsigned me)
{
    if (me == 0) {
        uint32_t expect = pte_of(frames[0]);
        for (uint32_t k = 0; k < ad_iters; k++) {
            uint32_t put = pte_of(frames[(k + 1) & 1]);
            uint32_t old = __atomic_exchange_n(&pt[AD_SLOT], put, __ATOMIC_SEQ_CST);
            if ((old & ~(PG_A | PG_D)) != expect)
                xchg_wrong++;
            if (old & PG_A)
                xchg_a_seen++;
            expect = put;
        }
        __atomic_store_n(&walkers_stop, 1, __ATOMIC_RELEASE);
        return;
    }
    while (!__atomic_load_n(&walkers_stop, __ATOMIC_ACQUIRE)) {
        invlpg(SLOT_LIN(AD_SLOT));
        (void)*at(AD_SLOT);
        *at(AD_SLOT + 0) = me; /* both frames are scratch */
        walks[me]++;
    }
}

static void work(unsigned me)
{
    uint32_t sense = 0;
    paging32_enable(pd);
    __asm__ volatile("sti");
    shootdown(me, &sense);
    smp_barrier_wait(&bar, ncpus, &sense);
    accessed_dirty(me);
    smp_barrier_wait(&bar, ncpus, &sense);
    if (ncpus > 1)
        ad_race(me);
    __asm__ volatile("cli");
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

static uint32_t sum(const volatile uint32_t *v)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < ncpus; i++)
        s += v[i];
    return s;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    arg_u32("cpus", &ncpus);
    arg_u32("rounds", &rounds);
    arg_u32("ad_iters", &ad_iters);
    if (ncpus < 1 || ncpus > SMP_MAX_CPUS)
        tap_bail("cpus=%u is out of range", ncpus);
    tap_plan(8);
    pic_mask_all();
    lapic_sw_enable();
    idt_set_gate(VEC_SHOOT, shoot_stub);
    for (unsigned f = 0; f < NFRAMES; f++)
        *(volatile uint32_t *)frames[f] = MARK(f);
    paging32_identity(pd);
    paging32_set_table(pd, WINDOW, pt);
    pt[SHOOT_SLOT] = pte_of(frames[0]);
    pt[AD_SLOT] = pte_of(frames[0]);

    unsigned up = ncpus > 1 ? smp_start_aps(ncpus, work) : 0;
    tap_ok(up == ncpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, ncpus - 1);
    if (up != ncpus - 1)
        tap_bail("not every AP came up");
    work(0);
    for (uint32_t spin = 0; finished < ncpus && spin < 2000000000u; spin++)
        cpu_pause();
    tap_ok(finished == ncpus, "all %u CPUs finished (%u did)", ncpus, finished);
    tap_ok(sum(warm_errors) == 0 && sum(own_stale) == 0,
           "each round: every CPU reads the old frame, the initiator the new one after its "
           "INVLPG (%u, %u wrong)", sum(warm_errors), sum(own_stale));
    tap_ok(lost_acks == 0, "every shootdown IPI was acknowledged (%u rounds short)", lost_acks);
    tap_ok(sum(stale) == 0, "after the shootdown every CPU sees the new frame, %u rounds (%u stale)",
           rounds, sum(stale));
    tap_ok(sum(a_missing) == 0, "a read sets the accessed flag of its PTE on every CPU (%u missing)",
           sum(a_missing));
    tap_ok(sum(d_missing) == 0,
           "a write, and not a read, sets the dirty flag on every CPU (%u wrong)", sum(d_missing));
    if (ncpus > 1) {
        tap_ok(xchg_wrong == 0,
               "%u XCHGs of a PTE that %u walks raced with: never an old entry written back "
               "(%u wrong, A seen %u times)",
               ad_iters, sum(walks), xchg_wrong, xchg_a_seen);
    } else {
        tap_skip("one CPU", "A/D updates racing with a PTE swap on another CPU");
    }
    tap_done();
}
