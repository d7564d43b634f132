/*
 * The SMP benchmark guests (bench/smp.sh, bench/smp.md; issue 7): Multiboot 1
 * kernels built with tests/guest/'s runtime. Each prints its figures as
 * plain lines, "NAME: key=value ...", on COM1, which bench/smp.sh parses;
 * nothing here is a test, so nothing is asserted.
 *
 * Time is the guest's TSC, converted with the rate smpb_tsc_init() finds:
 * CPUID 0x15 (crystal x EBX / EAX: baremu's, exact), else CPUID 0x16's
 * base MHz, else PIT channel 0 counted over SMPB_PIT_MS (QEMU TCG and Bochs
 * offer neither leaf). docs/timing.md says why and how.
 */
#ifndef SMPBENCH_H
#define SMPBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/smp.h"

#define SMPB_PIT_MS 100 /* PIT calibration window */

extern uint64_t smpb_tsc_hz;      /* TSC ticks per second */
extern const char *smpb_tsc_from; /* "cpuid-0x15", "cpuid-0x16" or "pit" */

/* find the TSC rate and print "NAME: tsc_hz=N from=SOURCE engine=E cpus=N" */
void smpb_tsc_init(const char *name);
const char *smpb_engine(void); /* "baremu", "qemu-tcg", "bochs" or "unknown" */

uint64_t smpb_ticks_to_ns(uint64_t ticks);

/*
 * A histogram of TSC tick counts: SMPB_SUB buckets per power of two, so a
 * percentile read from it is at most 1/SMPB_SUB high; the exact maximum
 * and minimum are kept beside it.
 */
#define SMPB_SUB_BITS 4
#define SMPB_SUB      (1u << SMPB_SUB_BITS)
#define SMPB_BUCKETS  (64 * SMPB_SUB)
#define SMPB_COARSE   23 /* 1-2-5 steps from < 100 ns to >= 1 s, for the text histogram */
struct smpb_hist {
    uint32_t n[SMPB_BUCKETS];
    uint32_t coarse[SMPB_COARSE];
    uint64_t count, max, min;
};
void smpb_hist_add(struct smpb_hist *h, uint64_t ticks);
void smpb_hist_merge(struct smpb_hist *into, const struct smpb_hist *from);
/* the upper bound, in ticks, of the bucket holding the sample at fraction per_million */
uint64_t smpb_hist_quantile(const struct smpb_hist *h, uint32_t per_million);

/* "n=N min_ns=N p50_ns=N p99_ns=N p99.9_ns=N max_ns=N" after a prefix, on one line */
void smpb_print_summary(const char *prefix, const struct smpb_hist *h);
/*
 * the text histogram: one line per 1-2-5 bucket from the first to the last
 * non-empty one, "PREFIX  < 500 ns |#########   12345 (1.2%)", bars on a
 * log scale, at most 78 columns: for an 80x25 screen
 */
void smpb_print_text_hist(const char *prefix, const struct smpb_hist *h);

/* sort n 32-bit values in place (heapsort: no recursion, N log N) */
void smpb_sort_u32(uint32_t *v, uint32_t n);

#endif
