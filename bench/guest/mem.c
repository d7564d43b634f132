/*
 * Memory: loads and stores over a 256 KiB buffer. Per iteration: a
 * read-modify-write sweep over a 4 KiB block (two loads, one store per
 * word), 256 scattered loads at pseudo-random indexes over the whole
 * buffer, and byte and 16-bit loads and stores over another 1 KiB.
 */
#include "bench.h"

const char bench_name[] = "mem";

#define NWORDS (64 * 1024)
#define MASK   (NWORDS - 1)
static uint32_t buf[NWORDS];

uint32_t bench_run(uint32_t iters)
{
    uint32_t seed = 0x9e3779b9, sum = 0, idx = 12345;
    for (uint32_t j = 0; j < NWORDS; j++)
        buf[j] = xorshift32(&seed);

    for (uint32_t i = 0; i < iters; i++) {
        uint32_t base = (i * 7 & 63) * 1024;
        for (uint32_t k = 0; k < 1024; k++)
            buf[base + k] += buf[(base + k + 513) & MASK] ^ i;
        for (uint32_t k = 0; k < 256; k++) {
            sum += buf[idx & MASK];
            idx = idx * 1664525u + 1013904223u;
        }
        volatile uint8_t *b8 = (volatile uint8_t *)&buf[(base + 2048) & MASK];
        volatile uint16_t *b16 = (volatile uint16_t *)&buf[(base + 3072) & MASK];
        for (uint32_t k = 0; k < 128; k++) {
            b8[k] = (uint8_t)(b8[k + 128] + k);
            b16[k] = (uint16_t)(b16[k + 256] ^ sum);
        }
    }
    for (uint32_t j = 0; j < NWORDS; j++)
        sum = (sum << 5 | sum >> 27) ^ buf[j];
    return sum;
}
