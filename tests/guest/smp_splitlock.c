/*
 * tests/guest/smp_splitlock.c: a locked operation that splits across two
 * pages is atomic against every other locked operation on its bytes (SDM
 * Vol 3A 9.1.2.2: a locked access to memory that is not naturally aligned
 * may lock the bus; either way it is atomic).
 *
 * With paging, a dword straddles two linear pages whose frames are not
 * neighbours: its low word is the last two bytes of frame A, its high word
 * the first two of frame C (frame B, between them, is elsewhere). Every CPU
 * at once, iters= times: a LOCK ADD of 0x00010000 to the whole dword (one
 * to the high half; the low half is read and written back unchanged), and a
 * LOCK ADD of 1 to the low word alone and to the high word alone, through
 * the frames' identity mapping. The low half must count every word add (a
 * split add that is not atomic writes an old low half back over them), the
 * high half every add of either kind, modulo 2^16.
 */
#include "rt/guest.h"
#include "rt/paging32.h"
#include "rt/smp.h"

#define DEFAULT_ITERS 4000u
#define WINDOW        0x40000000u
#define SPLIT_LIN     (WINDOW + PG_SIZE - 2) /* the dword across the window's pages 0 and 1 */

static uint32_t ncpus = 1, iters = DEFAULT_ITERS;
static uint32_t pd[PD_ENTRIES] __attribute__((aligned(4096)));
static uint32_t pt[PD_ENTRIES] __attribute__((aligned(4096)));
static uint8_t frames[3][PG_SIZE] __attribute__((aligned(4096)));
static struct smp_barrier bar;
static volatile uint32_t finished;

static void work(unsigned i)
{
    uint32_t sense = 0;
    volatile uint32_t *split = (volatile uint32_t *)SPLIT_LIN;
    volatile uint16_t *low = (volatile uint16_t *)&frames[0][PG_SIZE - 2];
    volatile uint16_t *high = (volatile uint16_t *)&frames[2][0];
    (void)i;
    paging32_enable(pd);
    smp_barrier_wait(&bar, ncpus, &sense);
    for (uint32_t k = 0; k < iters; k++) {
        __asm__ volatile("lock addl %1, %0" : "+m"(*split) : "ri"(0x00010000u) : "memory");
        __asm__ volatile("lock addw $1, %0" : "+m"(*low)::"memory");
        __asm__ volatile("lock addw $1, %0" : "+m"(*high)::"memory");
    }
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    arg_u32("cpus", &ncpus);
    arg_u32("iters", &iters);
    if (ncpus < 1 || ncpus > SMP_MAX_CPUS)
        tap_bail("cpus=%u is out of range", ncpus);
    tap_plan(4);
    paging32_identity(pd);
    paging32_set_table(pd, WINDOW, pt);
    pt[0] = (uint32_t)(uintptr_t)frames[0] | PG_RW | PG_P;
    pt[1] = (uint32_t)(uintptr_t)frames[2] | PG_RW | PG_P; /* not frame 0's neighbour */

    unsigned up = ncpus > 1 ? smp_start_aps(ncpus, work) : 0;
    tap_ok(up == ncpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, ncpus - 1);
    if (up != ncpus - 1)
        tap_bail("not every AP came up");
    work(0);
    for (uint32_t spin = 0; finished < ncpus && spin < 2000000000u; spin++)
        cpu_pause();
    tap_ok(finished == ncpus, "all %u CPUs finished (%u did)", ncpus, finished);
    uint16_t low = *(volatile uint16_t *)&frames[0][PG_SIZE - 2];
    uint16_t high = *(volatile uint16_t *)&frames[2][0];
    uint16_t want_low = (uint16_t)(ncpus * iters), want_high = (uint16_t)(2 * ncpus * iters);
    tap_ok(low == want_low, "low half, in frame A: %u, want %u (word adds; split adds leave it)",
           low, want_low);
    tap_ok(high == want_high, "high half, in frame C: %u, want %u (split and word adds)", high,
           want_high);
    tap_done();
}
