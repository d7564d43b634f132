/*
 * String instructions, forward (DF=0), through inline asm so that they are
 * the real ones: REP STOSD and REP STOSB fills, REP MOVSD and REP MOVSB
 * copies (long, and 16 short ones like a small memcpy), REPE CMPSB
 * comparisons that stop at a mismatch and REPE CMPSD ones that run to the
 * end. Same lengths and offsets every iteration.
 *
 * How many instructions a REP counts for is a convention: baremu retires
 * one per dispatch of at most 4096 elements (docs/cpu.md), so here one per
 * REP; bench/cpu.md says so.
 */
#include "bench.h"

const char bench_name[] = "string";

static uint8_t src[8192] __attribute__((aligned(64)));
static uint8_t dst[8192] __attribute__((aligned(64)));
static uint8_t cmp[8192] __attribute__((aligned(64)));

static inline void rep_stosl(void *d, uint32_t v, uint32_t n)
{
    __asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(v) : "memory");
}

static inline void rep_stosb(void *d, uint8_t v, uint32_t n)
{
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory");
}

static inline void rep_movsl(void *d, const void *s, uint32_t n)
{
    __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static inline void rep_movsb(void *d, const void *s, uint32_t n)
{
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

/* REPE CMPSB: how many bytes were left when it stopped (0: all equal) */
static inline uint32_t repe_cmpsb(const void *a, const void *b, uint32_t n)
{
    __asm__ volatile("repe cmpsb" : "+S"(a), "+D"(b), "+c"(n) : : "memory", "cc");
    return n;
}

static inline uint32_t repe_cmpsl(const void *a, const void *b, uint32_t n)
{
    __asm__ volatile("repe cmpsl" : "+S"(a), "+D"(b), "+c"(n) : : "memory", "cc");
    return n;
}

static uint32_t word(const uint8_t *p, uint32_t off)
{
    return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
           (uint32_t)p[off + 3] << 24;
}

uint32_t bench_run(uint32_t iters)
{
    uint32_t seed = 0x1b873593, sum = 0;
    for (uint32_t j = 0; j < sizeof src; j++)
        src[j] = (uint8_t)xorshift32(&seed);
    rep_movsb(cmp, src, sizeof cmp);
    for (uint32_t j = 0; j < 8; j++) /* mismatches for REPE CMPSB to find */
        cmp[512 * j + 37 * j + 100] ^= 0x40;

    for (uint32_t i = 0; i < iters; i++) {
        rep_stosl(dst, i * 0x01010101u, 1024);          /* 4 KiB */
        rep_movsb(dst + 3, src + 1, 1000);               /* unaligned */
        rep_movsl(dst + 4096, src + 4096, 512);          /* 2 KiB */
        for (uint32_t k = 0; k < 16; k++)                /* small copies */
            rep_movsb(dst + 2048 + 64 * k, src + 7 * k, 32);
        rep_stosb(dst + 1200, (uint8_t)i, 300);
        for (uint32_t k = 0; k < 8; k++)
            sum += repe_cmpsb(src + 512 * k, cmp + 512 * k, 512) * (k + 1);
        sum += repe_cmpsl(src + 6144, cmp + 6144, 512);
        sum = (sum << 3 | sum >> 29) ^ word(dst, 3 + (i & 511)) ^ word(dst, 1300 + (i & 127)) ^
              word(dst, 4096 + (i & 1023)) ^ word(dst, 2048 + (i & 511));
    }
    return sum;
}
