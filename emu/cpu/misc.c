/*
 * emu/cpu/misc.c: flag instructions, NOPs and hints, CPUID, RDTSC, INT3,
 * UD2, HLT (SDM Vol 2A/2B, one entry each).
 */
#include <string.h>

#include "emu/cpu/internal.h"

HANDLER(op_nop)
{
    (void)c, (void)i;
}
HANDLER(op_pause)
{
    (void)c, (void)i;
}

HANDLER(op_clc)
{
    (void)i, flags_set_status(c, RFLAGS_CF, 0);
}
HANDLER(op_stc)
{
    (void)i, flags_set_status(c, RFLAGS_CF, RFLAGS_CF);
}
HANDLER(op_cmc)
{
    (void)i, flags_set_status(c, RFLAGS_CF, flags_cf(c) ? 0 : RFLAGS_CF);
}
HANDLER(op_cld)
{
    (void)i, c->rflags &= ~(uint64_t)RFLAGS_DF;
}
HANDLER(op_std)
{
    (void)i, c->rflags |= RFLAGS_DF;
}

/* 9F: AH = SF:ZF:0:AF:0:PF:1:CF */
HANDLER(op_lahf)
{
    (void)i;
    uint64_t f = (flags_status(c) & 0xff) | RFLAGS_FIXED;
    c->gpr[REG_RAX] = (c->gpr[REG_RAX] & ~0xff00ull) | (f << 8);
}

/* 9E */
HANDLER(op_sahf)
{
    (void)i;
    uint64_t mask = RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF;
    flags_set_status(c, mask, (c->gpr[REG_RAX] >> 8) & mask);
}

/* CC: a trap, reported after the instruction */
HANDLER(op_int3)
{
    (void)i;
    c->rip = c->next_rip;
    cpu_raise_noerr(c, VEC_BP);
}

HANDLER(op_ud2)
{
    (void)i, cpu_ud(c);
}

HANDLER(op_hlt)
{
    (void)i;
    if (c->cpl)
        cpu_gp0(c);
    /* XXX: halting waits for the machine's run loop (issue 5); a no-op here */
}

/* 0F AE /5 /6 /7 with a register operand: LFENCE, MFENCE, SFENCE; /7 on memory is CLFLUSH */
HANDLER(op_fence)
{
    if (i->mod != 3) {
        if ((i->reg & 7) != 7)
            cpu_ud(c);
        (void)mem_read(c, i->seg, cpu_ea(c, i), 1); /* XXX: CLFLUSH faults like a read */
        return;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* 0F 31: CR4.TSD restricts it to CPL 0 */
HANDLER(op_rdtsc)
{
    (void)i;
    if ((c->cr4 & CR4_TSD) && c->cpl)
        cpu_gp0(c);
    uint64_t t = c->bus->tsc ? c->bus->tsc(c->bus->opaque) : c->icount;
    c->gpr[REG_RAX] = (uint32_t)t;
    c->gpr[REG_RDX] = t >> 32;
}

/* ---- CPUID (SDM Vol 2A CPUID) ------------------------------------------- */

#define CPUID_MAX_BASIC 0xb
#define CPUID_MAX_EXT   0x80000008u
#define CPUID_EXT       0x80000000u

struct cpuid_regs {
    uint32_t a, b, c, d;
};

static void str_regs(const char *s, uint32_t *r0, uint32_t *r1, uint32_t *r2)
{
    memcpy(r0, s, 4);
    memcpy(r1, s + 4, 4);
    memcpy(r2, s + 8, 4);
}

static struct cpuid_regs cpuid_leaf(const struct cpu *c, uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r = {0, 0, 0, 0};
    /* beyond the highest leaf Intel answers with the highest basic leaf */
    if ((leaf < CPUID_EXT && leaf > CPUID_MAX_BASIC) || leaf > CPUID_MAX_EXT)
        leaf = CPUID_MAX_BASIC;
    switch (leaf) {
    case 0:
        r.a = CPUID_MAX_BASIC;
        str_regs("GenuineIntel", &r.b, &r.d, &r.c);
        break;
    case 1:
        r.a = CPU_SIGNATURE;
        r.b = (c->index << 24) | (1u << 16) | (8u << 8); /* APIC ID, 1 logical, 64-byte lines */
        r.c = CPUID_1_ECX_CX16 | CPUID_1_ECX_MOVBE | CPUID_1_ECX_POPCNT | CPUID_1_ECX_HYPERVISOR;
        r.d = CPUID_1_EDX_TSC | CPUID_1_EDX_CX8 | CPUID_1_EDX_CMOV;
        break;
    case 7:
        if (sub == 0)
            r.b = c->feat.tzcnt ? CPUID_7_EBX_BMI1 : 0;
        break;
    case 0xb:
        /* one thread per core, one core per package: x2APIC ID in EDX */
        r.c = sub & 0xff;
        if (sub == 0) {
            r.b = 1;
            r.c |= 1u << 8;
        } else if (sub == 1) {
            r.c |= 2u << 8;
        }
        r.d = c->index;
        break;
    case CPUID_EXT:
        r.a = CPUID_MAX_EXT;
        break;
    case CPUID_EXT + 1:
        r.c = CPUID_80000001_ECX_LAHF | CPUID_80000001_ECX_ABM;
        r.d = CPUID_80000001_EDX_LM;
        break;
    case CPUID_EXT + 2:
    case CPUID_EXT + 3:
    case CPUID_EXT + 4: {
        static const char brand[48] = "baremu virtual CPU";
        const char *p = brand + 16 * (leaf - CPUID_EXT - 2);
        memcpy(&r.a, p, 4);
        memcpy(&r.b, p + 4, 4);
        memcpy(&r.c, p + 8, 4);
        memcpy(&r.d, p + 12, 4);
        break;
    }
    case CPUID_EXT + 8:
        r.a = 48u << 8 | 46u; /* 48-bit linear, 46-bit physical addresses */
        break;
    }
    return r;
}

/* 0F A2 */
HANDLER(op_cpuid)
{
    (void)i;
    struct cpuid_regs r = cpuid_leaf(c, (uint32_t)c->gpr[REG_RAX], (uint32_t)c->gpr[REG_RCX]);
    c->gpr[REG_RAX] = r.a;
    c->gpr[REG_RBX] = r.b;
    c->gpr[REG_RCX] = r.c;
    c->gpr[REG_RDX] = r.d;
}
