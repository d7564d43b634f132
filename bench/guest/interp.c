/*
 * A small interpreter: a stack-based bytecode VM with a switch dispatch
 * loop, running a program of nested loops that hashes its input. The
 * program is data (not const), so gcc cannot specialise the VM for it; its
 * input depends on the iteration but its control flow does not.
 */
#include "bench.h"

const char bench_name[] = "interp";

enum op {
    OP_PUSH,  /* push imm */
    OP_LOAD,  /* push var[imm] */
    OP_STORE, /* var[imm] = pop */
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_XOR,
    OP_AND,
    OP_SHL, /* a << (b & 31) */
    OP_SHR,
    OP_DUP,
    OP_SWAP,
    OP_JNZ, /* if pop != 0: pc = imm */
    OP_JMP,
    OP_HALT,
};

struct insn {
    uint8_t op;
    int32_t imm;
};

/*
 * vars: 0 input, 1 outer counter, 2 inner counter, 3 h, 4 t
 *   h = input; outer = 8
 *   do { inner = 16
 *        do { t = h * 33 ^ inner; h = (t << 5) + (t >> 3) - outer; } while (--inner);
 *        h = h ^ outer; } while (--outer);
 */
static struct insn prog[] = {
    {OP_LOAD, 0}, {OP_STORE, 3}, {OP_PUSH, 8}, {OP_STORE, 1},
    /* 4: outer */
    {OP_PUSH, 16}, {OP_STORE, 2},
    /* 6: inner */
    {OP_LOAD, 3}, {OP_PUSH, 33}, {OP_MUL, 0}, {OP_LOAD, 2}, {OP_XOR, 0}, {OP_STORE, 4},
    {OP_LOAD, 4}, {OP_PUSH, 5}, {OP_SHL, 0}, {OP_LOAD, 4}, {OP_PUSH, 3}, {OP_SHR, 0},
    {OP_ADD, 0}, {OP_LOAD, 1}, {OP_SUB, 0}, {OP_STORE, 3},
    {OP_LOAD, 2}, {OP_PUSH, 1}, {OP_SUB, 0}, {OP_DUP, 0}, {OP_STORE, 2}, {OP_JNZ, 6},
    {OP_LOAD, 3}, {OP_LOAD, 1}, {OP_XOR, 0}, {OP_STORE, 3},
    {OP_LOAD, 1}, {OP_PUSH, 1}, {OP_SUB, 0}, {OP_DUP, 0}, {OP_STORE, 1}, {OP_JNZ, 4},
    {OP_LOAD, 3}, {OP_PUSH, 0xffff}, {OP_AND, 0}, {OP_LOAD, 3}, {OP_SWAP, 0}, {OP_XOR, 0},
    {OP_STORE, 3}, {OP_HALT, 0},
};

NOIPA static uint32_t vm_run(const struct insn *code, uint32_t input)
{
    uint32_t stack[16], var[8] = {input};
    uint32_t sp = 0, pc = 0;

    for (;;) {
        const struct insn *in = &code[pc++];
        uint32_t a, b;
        switch (in->op) {
        case OP_PUSH: stack[sp++] = (uint32_t)in->imm; break;
        case OP_LOAD: stack[sp++] = var[in->imm]; break;
        case OP_STORE: var[in->imm] = stack[--sp]; break;
        case OP_ADD: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = a + b; break;
        case OP_SUB: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = a - b; break;
        case OP_MUL: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = a * b; break;
        case OP_XOR: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = a ^ b; break;
        case OP_AND: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = a & b; break;
        case OP_SHL: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = a << (b & 31); break;
        case OP_SHR: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = a >> (b & 31); break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_SWAP: a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = a; break;
        case OP_JNZ: if (stack[--sp]) pc = (uint32_t)in->imm; break;
        case OP_JMP: pc = (uint32_t)in->imm; break;
        default: return var[3];
        }
    }
}

uint32_t bench_run(uint32_t iters)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < iters; i++)
        s = (s << 1 | s >> 31) ^ vm_run(prog, s + i);
    return s;
}
