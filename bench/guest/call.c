/*
 * Calls and returns: a recursive Fibonacci (doubly recursive, built without
 * sibling-call optimisation so that every call is a CALL), calls with five
 * stack arguments, and indirect calls through a table of function pointers.
 * NOIPA keeps gcc from inlining or hoisting any of them.
 */
#include "bench.h"

const char bench_name[] = "call";

NOIPA static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

NOIPA static uint32_t mix5(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
    return (a ^ b) + (c << 1) - (d >> 1) + e;
}

NOIPA static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
NOIPA static uint32_t op_sub(uint32_t a, uint32_t b) { return a - b; }
NOIPA static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
NOIPA static uint32_t op_rol(uint32_t a, uint32_t b) { return (a << (b & 31)) | (a >> (-b & 31)); }
NOIPA static uint32_t op_mul(uint32_t a, uint32_t b) { return a * (b | 1); }
NOIPA static uint32_t op_and(uint32_t a, uint32_t b) { return (a & b) + 1; }
NOIPA static uint32_t op_or(uint32_t a, uint32_t b) { return (a | b) - 1; }
NOIPA static uint32_t op_mix(uint32_t a, uint32_t b) { return mix5(a, b, a + 1, b + 1, 7); }

static uint32_t (*const ops[8])(uint32_t, uint32_t) = {
    op_add, op_sub, op_xor, op_rol, op_mul, op_and, op_or, op_mix,
};

uint32_t bench_run(uint32_t iters)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < iters; i++) {
        s += fib(12) ^ i;
        for (uint32_t k = 0; k < 64; k++)
            s = ops[k & 7](s, k + i);
        for (uint32_t k = 0; k < 32; k++)
            s = mix5(s, k, i, s >> 3, k * 3);
    }
    return s;
}
