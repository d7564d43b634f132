/*
 * Floating point: a ring of 16 coupled oscillators in doubles, each step a
 * subtraction, multiplies, an add, a square root and a divide per body,
 * plus a conversion to an integer: on the x87 in the 32-bit build (fp),
 * in SSE2 in the 64-bit one (fp64). No data-dependent branches.
 *
 * The checksum is the bits of the final state, the same in every build:
 * the x87 runs with 53-bit precision control (FLDCW 0x27F), so each of its
 * +, -, *, /, sqrt rounds as SSE2's and the host's do, and no value comes
 * near overflow or the denormals, where the x87's wider exponent would
 * tell. Before the loop (not for the host) the guest sets up its FPU:
 * FNINIT and the precision control, or CR4.OSFXSR for SSE in long mode.
 */
#include "bench.h"

const char bench_name[] = "fp";

#define BODIES 16

static void fpu_setup(void)
{
#ifndef BENCH_HOST
#ifdef __x86_64__
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= 3u << 9; /* OSFXSR, OSXMMEXCPT */
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
    static const uint32_t mxcsr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
#else
    static const uint16_t fcw = 0x027f; /* every exception masked, 53-bit precision */
    __asm__ volatile("fninit; fldcw %0" ::"m"(fcw));
#endif
#endif
}

uint32_t bench_run(uint32_t iters)
{
    double x[BODIES], v[BODIES];
    int32_t sum = 0;

    fpu_setup();
    for (int j = 0; j < BODIES; j++) {
        x[j] = (double)(j * 7 % 11) - 5.0;
        v[j] = 0.0;
    }
    for (uint32_t i = 0; i < iters; i++) {
        for (int j = 0; j < BODIES; j++) {
            double d = x[(j + 5) % BODIES] - x[j];
            double r = __builtin_sqrt(d * d + 1.0);
            v[j] = v[j] * 0.999 + d / (r * r * r) * 0.01;
        }
        for (int j = 0; j < BODIES; j++)
            x[j] += v[j] * 0.05;
        sum += (int32_t)(x[i % BODIES] * 1024.0);
    }
    uint64_t h = (uint32_t)sum;
    for (int j = 0; j < BODIES; j++) {
        uint64_t bx, bv;
        __builtin_memcpy(&bx, &x[j], 8);
        __builtin_memcpy(&bv, &v[j], 8);
        h = (h ^ bx) * 0x100000001b3ull ^ bv;
    }
    return (uint32_t)(h ^ (h >> 32));
}
