/*
 * emu/cpu/misc.c: flag instructions, NOPs and hints, RDTSC, INT3, UD2, HLT
 * (SDM Vol 2A/2B, one entry each). CPUID is in cpuid.c.
 */
#include "emu/cpu/internal.h"

HANDLER(op_nop)
{
    (void)c, (void)i;
}
/* F3 90: a spin-wait hint (SDM Vol 2B PAUSE); the machine may want to hear of it */
HANDLER(op_pause)
{
    (void)i;
    if (c->pause_exit_every && ++c->pause_count >= c->pause_exit_every) {
        c->pause_count = 0;
        cpu_exit_now(c, CPU_EXIT_PAUSE);
    }
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
    cpu_soft_int(c, VEC_BP);
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
    if (!c->stop_at_exc) /* the user-mode embedding has no one to wake it */
        cpu_exit_now(c, CPU_EXIT_HLT);
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
    uint64_t t = cpu_guest_tsc(c);
    c->gpr[REG_RAX] = (uint32_t)t;
    c->gpr[REG_RDX] = t >> 32;
}
