/*
 * Integer ALU: add, sub, and, or, xor, not, neg, shifts, rotates, imul,
 * a 32x32->64 mul with add/adc, lea, one divide per iteration; four
 * interleaved dependency chains, no memory traffic but the stack.
 */
#include "bench.h"

const char bench_name[] = "alu";

uint32_t bench_run(uint32_t iters)
{
    uint32_t a = 0x12345678, b = 0x9abcdef0, c = 0xdeadbeef, d = 0x0badf00d;
    uint64_t acc = 0;

    for (uint32_t i = 0; i < iters; i++) {
        for (uint32_t j = 0; j < 64; j++) {
            a += b ^ j;
            b = ((b << 7) | (b >> 25)) ^ c;
            c -= a >> 3;
            d ^= (a & 0xff00ff00u) | (c & 0x00ff00ffu);
            a = a * 0x9e3779b1u + d;
            b += (uint32_t)((int32_t)c >> 5);
            c = ~c + (d | j);
            d = d - (b << 2) - b;
            a = (0u - a) ^ ((b >> 11) | (b << 21));
            acc += (uint64_t)a * c;
        }
        d += (uint32_t)(acc >> 32) / ((a | 1u) & 0xffffu);
    }
    return a ^ b ^ c ^ d ^ (uint32_t)acc ^ (uint32_t)(acc >> 32);
}
