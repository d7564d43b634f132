/*
 * The guest CPU benchmark suite (bench/cpu.sh, bench/cpu.md): one workload
 * per file, each a separate Multiboot 1 kernel. A workload defines
 *
 *     const char bench_name[];
 *     uint32_t bench_run(uint32_t iters);
 *
 * bench_run must execute exactly the same instructions in every iteration
 * (control flow may depend on data, but the same data every iteration), so
 * that the instruction count is c0 + b * iters; bench/cpu.sh checks that
 * exactly. Its result is the checksum. Only fixed-width integer types, so the
 * same source gives the same checksum built for the guest (i386) and for the
 * host (x86-64, BENCH_HOST), where harness.c's main() prints it.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

extern const char bench_name[];
uint32_t bench_run(uint32_t iters);

#define NOIPA __attribute__((noipa)) /* a real call, never inlined, cloned or hoisted */

/* xorshift32: the suite's pseudo-random data */
static inline uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

#endif
