/*
 * tests/guest/smp_xmodify.c: self- and cross-modifying code (issue 7),
 * following Intel SDM Vol 3A 9.1.3 "Handling Self- and Cross-Modifying Code"
 * and 11.6 "Self-Modifying Code".
 *
 * 1. cross-modifying: in each of rounds= rounds one CPU (in turn) patches a
 *    routine that every other CPU has just been running (so it is hot in any
 *    cache of decoded code), then raises a flag; the others wait for the flag,
 *    execute a serialising instruction (CPUID) and call the routine, which
 *    must return the new value. The patch alternates between two encodings
 *    of different lengths, so a stale decode cannot pass by luck. The
 *    modifier calls its own patch too (self-modifying code, then a jump).
 * 2. the next instruction: a store that rewrites the immediate of the
 *    instruction right after it (11.6: a write that hits a prefetched
 *    instruction invalidates the prefetch queue), on every CPU at once, each
 *    on its own copy.
 * 3. an alias: with paging on, the routine's page is mapped at two linear
 *    addresses; it is patched through one and run through the other, across
 *    CPUs as in 1 (the check is by physical address, 11.6).
 */
#include "rt/guest.h"
#include "rt/cpu.h"
#include "rt/paging32.h"
#include "rt/smp.h"

#define DEFAULT_ROUNDS 300u
#define WARM_CALLS     20u  /* calls of the old code before each patch */
#define SMC_CALLS      2000u
#define ALIAS_WINDOW   0x40000000u /* a 4 MiB window of 4 KiB pages for part 3 */
#define ALIAS_WRITE    (ALIAS_WINDOW + 0 * PG_SIZE)
#define ALIAS_EXEC     (ALIAS_WINDOW + 1 * PG_SIZE)

typedef uint32_t (*routine_fn)(void);

static uint32_t ncpus = 1, rounds = DEFAULT_ROUNDS;
static struct smp_barrier bar;
static volatile uint32_t flag;
static volatile uint32_t errors[SMP_MAX_CPUS], warm_errors[SMP_MAX_CPUS];
static volatile uint32_t smc_errors[SMP_MAX_CPUS], alias_errors[SMP_MAX_CPUS];
static volatile uint32_t finished;

/* the patched routine (paging off: data is executable) */
static uint8_t xcode[64] __attribute__((aligned(64)));
/* per CPU: a routine that rewrites its own next instruction */
static uint8_t smc_code[SMP_MAX_CPUS][32] __attribute__((aligned(32)));
/* part 3: one physical page, two linear aliases */
static uint32_t pd[PD_ENTRIES] __attribute__((aligned(4096)));
static uint32_t pt[PD_ENTRIES] __attribute__((aligned(4096)));
static uint8_t alias_page[PG_SIZE] __attribute__((aligned(4096)));

static uint32_t value_of(uint32_t round) { return round * 0x9e3779b1u ^ 0x5a5a0f0fu; }

/* round's routine at p, returning value_of(round); two encodings of different lengths */
static void patch(volatile uint8_t *p, uint32_t round)
{
    uint32_t v = value_of(round);
    unsigned n = 0;
    if (round & 1) {
        p[n++] = 0x31, p[n++] = 0xc0; /* xor %eax, %eax */
        p[n++] = 0x05;                /* add $imm32, %eax */
    } else {
        p[n++] = 0xb8; /* mov $imm32, %eax */
    }
    for (unsigned k = 0; k < 4; k++)
        p[n++] = (uint8_t)(v >> (8 * k));
    p[n++] = 0xc3; /* ret */
}

static void serialize(void)
{
    (void)cpuid(0, 0);
}

/*
 * The SDM's protocol, round by round: the modifier stores the new code, then
 * the flag; the executors wait for the flag, serialise, then execute.
 */
static void cross_modify(unsigned me, uint8_t *write_at, uint8_t *exec_at, uint32_t first,
                         volatile uint32_t *errs, uint32_t *sense)
{
    routine_fn run = (routine_fn)(uintptr_t)exec_at;
    for (uint32_t r = first; r < first + rounds; r++) {
        unsigned modifier = r % ncpus;
        smp_barrier_wait(&bar, ncpus, sense);
        if (me != modifier)
            for (uint32_t k = 0; k < WARM_CALLS; k++)
                if (run() != value_of(r - 1))
                    warm_errors[me]++;
        smp_barrier_wait(&bar, ncpus, sense);
        if (me == modifier) {
            patch(write_at, r);
            __atomic_store_n(&flag, r, __ATOMIC_RELEASE);
            if (run() != value_of(r)) /* self-modifying: the call is the jump */
                errs[me]++;
        } else {
            while (__atomic_load_n(&flag, __ATOMIC_ACQUIRE) != r)
                cpu_pause();
            serialize();
            if (run() != value_of(r))
                errs[me]++;
        }
    }
}

/*
 * movb $new, imm(next)    C6 05 <addr32> <new>
 * next: movb $old, %al    B0 <old>
 * ret                     C3
 */
#define SMC_NEW_AT 6 /* the first instruction's imm8 */
#define SMC_OLD_AT 8 /* the second instruction's imm8 */
static void smc_build(uint8_t *p)
{
    uint32_t target = (uint32_t)(uintptr_t)(p + SMC_OLD_AT);
    p[0] = 0xc6, p[1] = 0x05;
    for (unsigned k = 0; k < 4; k++)
        p[2 + k] = (uint8_t)(target >> (8 * k));
    p[SMC_NEW_AT] = 0;
    p[7] = 0xb0, p[SMC_OLD_AT] = 0;
    p[9] = 0xc3;
}

static void self_modify_next(unsigned me)
{
    volatile uint8_t *p = smc_code[me];
    uint8_t (*run)(void) = (uint8_t(*)(void))(uintptr_t)smc_code[me];
    smc_build(smc_code[me]);
    for (uint32_t k = 0; k < SMC_CALLS; k++) {
        uint8_t want = (uint8_t)(k * 7 + me);
        p[SMC_NEW_AT] = want;
        p[SMC_OLD_AT] = (uint8_t)~want;
        if (run() != want)
            smc_errors[me]++;
    }
}

static void work(unsigned me)
{
    uint32_t sense = 0;
    cross_modify(me, xcode, xcode, 1, errors, &sense);
    self_modify_next(me);
    smp_barrier_wait(&bar, ncpus, &sense);
    paging32_enable(pd);
    smp_barrier_wait(&bar, ncpus, &sense);
    cross_modify(me, (uint8_t *)ALIAS_WRITE, (uint8_t *)ALIAS_EXEC, rounds + 1, alias_errors,
                 &sense);
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
    if (ncpus < 1 || ncpus > SMP_MAX_CPUS)
        tap_bail("cpus=%u is out of range", ncpus);
    tap_plan(6);

    patch(xcode, 0);
    paging32_identity(pd);
    paging32_set_table(pd, ALIAS_WINDOW, pt);
    pt[0] = (uint32_t)(uintptr_t)alias_page | PG_RW | PG_P; /* ALIAS_WRITE */
    pt[1] = (uint32_t)(uintptr_t)alias_page | PG_RW | PG_P; /* ALIAS_EXEC */
    patch(alias_page, rounds);

    unsigned up = ncpus > 1 ? smp_start_aps(ncpus, work) : 0;
    tap_ok(up == ncpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, ncpus - 1);
    if (up != ncpus - 1)
        tap_bail("not every AP came up");
    work(0);
    for (uint32_t spin = 0; finished < ncpus && spin < 2000000000u; spin++)
        cpu_pause();
    tap_ok(finished == ncpus, "all %u CPUs finished (%u did)", ncpus, finished);
    tap_ok(sum(warm_errors) == 0, "the unpatched routine returned its value on every warm call "
                                  "(%u wrong)", sum(warm_errors));
    tap_ok(sum(errors) == 0,
           "cross-modifying code: after flag and CPUID every CPU ran the new code, %u rounds "
           "(%u stale)", rounds, sum(errors));
    tap_ok(sum(smc_errors) == 0,
           "a store into the next instruction takes effect, %u times on each CPU (%u stale)",
           SMC_CALLS, sum(smc_errors));
    tap_ok(sum(alias_errors) == 0,
           "patched through one linear alias, run through another: new code, %u rounds "
           "(%u stale)", rounds, sum(alias_errors));
    tap_done();
}
