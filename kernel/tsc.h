/* kernel/tsc.h: the host's one clock. */
#ifndef KERNEL_TSC_H
#define KERNEL_TSC_H

#include <stdbool.h>
#include <stdint.h>

extern uint64_t tsc_hz;          /* TSC ticks per second, from tsc_calibrate() */
extern bool tsc_invariant;       /* CPUID 0x80000007 EDX[8] */
extern const char *tsc_source;   /* what the calibration used */

void tsc_calibrate(void);
void tsc_delay_us(uint64_t us);
static inline uint64_t tsc_from_us(uint64_t us) { return tsc_hz / 1000000 * us + tsc_hz % 1000000 * us / 1000000; }

#endif
