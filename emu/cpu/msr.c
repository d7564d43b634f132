/*
 * emu/cpu/msr.c: RDMSR and WRMSR (SDM Vol 2B; the MSRs in Vol 4). The CPU
 * keeps EFER, the SYSCALL and SYSENTER MSRs, FS/GS/KERNEL_GS base, TSC,
 * TSC_ADJUST and TSC_AUX, PAT, MISC_ENABLE and the MTRRs (storage only), and answers the
 * identification MSRs Linux reads (platform ID, microcode revision, feature
 * control); the rest goes to the
 * machine through bus->rdmsr/wrmsr (the LAPIC's), and #GP(0) when it says no.
 */
#include "emu/cpu/internal.h"

#define MTRR_VAR_COUNT           8
#define MTRRCAP_VALUE            (MTRR_VAR_COUNT | (1u << 8) | (1u << 10)) /* VCNT 8, fixed, WC */
#define EFER_VALID               (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define MISC_ENABLE_FAST_STRINGS 1u
#define FEATURE_CONTROL_LOCKED   1u

/* the MTRR storage slot for msr, or NULL */
static uint64_t *mtrr_slot(struct cpu *c, uint32_t msr)
{
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VAR_COUNT)
        return &c->mtrr_var[msr - MSR_MTRR_PHYSBASE0];
    if (msr == MSR_MTRR_FIX64K)
        return &c->mtrr_fixed[0];
    if (msr == MSR_MTRR_FIX16K || msr == MSR_MTRR_FIX16K + 1)
        return &c->mtrr_fixed[1 + msr - MSR_MTRR_FIX16K];
    if (msr >= MSR_MTRR_FIX4K && msr < MSR_MTRR_FIX4K + 8)
        return &c->mtrr_fixed[3 + msr - MSR_MTRR_FIX4K];
    if (msr == MSR_MTRR_DEF_TYPE)
        return &c->mtrr_def;
    return NULL;
}

/* the CPU's own MSR, or false */
static bool msr_get(struct cpu *c, uint32_t msr, uint64_t *v)
{
    uint64_t *slot = mtrr_slot(c, msr);
    if (slot) {
        *v = *slot;
        return true;
    }
    switch (msr) {
    case MSR_TSC:
        *v = cpu_guest_tsc(c);
        return true;
    case MSR_TSC_ADJUST:
        *v = c->tsc_adjust;
        return true;
    case MSR_PLATFORM_ID:
    case MSR_BIOS_SIGN_ID: /* no microcode */
        *v = 0;
        return true;
    case MSR_FEATURE_CONTROL:
        *v = FEATURE_CONTROL_LOCKED; /* locked, VMX off: as firmware leaves it */
        return true;
    case MSR_MTRRCAP:
        *v = MTRRCAP_VALUE;
        return true;
    case MSR_SYSENTER_CS:
        *v = c->sysenter_cs;
        return true;
    case MSR_SYSENTER_ESP:
        *v = c->sysenter_esp;
        return true;
    case MSR_SYSENTER_EIP:
        *v = c->sysenter_eip;
        return true;
    case MSR_MISC_ENABLE:
        *v = c->misc_enable | MISC_ENABLE_FAST_STRINGS;
        return true;
    case MSR_PAT:
        *v = c->pat;
        return true;
    case MSR_EFER:
        *v = c->efer;
        return true;
    case MSR_STAR:
        *v = c->star;
        return true;
    case MSR_LSTAR:
        *v = c->lstar;
        return true;
    case MSR_CSTAR:
        *v = c->cstar;
        return true;
    case MSR_SFMASK:
        *v = c->sfmask;
        return true;
    case MSR_FS_BASE:
        *v = c->seg[SEG_FS].base;
        return true;
    case MSR_GS_BASE:
        *v = c->seg[SEG_GS].base;
        return true;
    case MSR_KERNEL_GS_BASE:
        *v = c->kernel_gs_base;
        return true;
    case MSR_TSC_AUX:
        *v = c->tsc_aux;
        return true;
    }
    return false;
}

/* PAT entries are 0, 1, 4, 5, 6 or 7 (11.12.2) */
static bool pat_valid(uint64_t v)
{
    for (unsigned k = 0; k < 8; k++) {
        unsigned t = (v >> (8 * k)) & 0xff;
        if (t > 7 || t == 2 || t == 3)
            return false;
    }
    return true;
}

/* write the CPU's own MSR: 1 done, 0 not ours, -1 #GP */
static int msr_set(struct cpu *c, uint32_t msr, uint64_t v)
{
    uint64_t *slot = mtrr_slot(c, msr);
    if (slot) {
        *slot = v;
        return 1;
    }
    switch (msr) {
    case MSR_TSC: {
        /* SDM Vol 3B 17.17.3: a write that moves the TSC by X moves TSC_ADJUST by X */
        uint64_t x = v - cpu_guest_tsc(c);
        c->tsc_offset += x;
        c->tsc_adjust += x;
        return 1;
    }
    case MSR_TSC_ADJUST: /* and a write that moves TSC_ADJUST by X moves the TSC by X */
        c->tsc_offset += v - c->tsc_adjust;
        c->tsc_adjust = v;
        return 1;
    case MSR_MTRRCAP:
    case MSR_PLATFORM_ID:
    case MSR_FEATURE_CONTROL:
        return -1;
    case MSR_BIOS_SIGN_ID: /* writing 0 then CPUID(1) is how Linux reads the revision */
        return 1;
    case MSR_SYSENTER_CS:
        c->sysenter_cs = v & 0xffff;
        return 1;
    case MSR_SYSENTER_ESP:
    case MSR_SYSENTER_EIP:
        if (!is_canonical(v))
            return -1;
        *(msr == MSR_SYSENTER_ESP ? &c->sysenter_esp : &c->sysenter_eip) = v;
        return 1;
    case MSR_MISC_ENABLE:
        c->misc_enable = v;
        return 1;
    case MSR_PAT:
        if (!pat_valid(v))
            return -1;
        c->pat = v;
        return 1;
    case MSR_EFER:
        /* LMA is read-only; LME cannot change while paging is on (SDM Vol 3A 9.8.5) */
        if (v & ~(uint64_t)EFER_VALID)
            return -1;
        if ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME))
            return -1;
        c->efer = (v & ~(uint64_t)EFER_LMA) | (c->efer & EFER_LMA);
        cpu_tlb_flush(c);
        return 1;
    case MSR_STAR:
        c->star = v;
        return 1;
    case MSR_LSTAR:
    case MSR_CSTAR:
        if (!is_canonical(v))
            return -1;
        *(msr == MSR_LSTAR ? &c->lstar : &c->cstar) = v;
        return 1;
    case MSR_SFMASK:
        c->sfmask = v & 0xffffffffull;
        return 1;
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
        if (!is_canonical(v))
            return -1;
        if (msr == MSR_KERNEL_GS_BASE)
            c->kernel_gs_base = v;
        else
            c->seg[msr == MSR_FS_BASE ? SEG_FS : SEG_GS].base = v;
        return 1;
    case MSR_TSC_AUX:
        if (v >> 32)
            return -1;
        c->tsc_aux = v;
        return 1;
    }
    return 0;
}

/* -d guest_errors: an MSR access that is about to #GP */
static void bad_msr(const struct cpu *c, uint32_t msr, bool write, uint64_t v)
{
    if (c->debug && c->debug->bad_msr)
        c->debug->bad_msr(c->debug->opaque, c, msr, write, v);
}

/* 0F 32 */
HANDLER(op_rdmsr)
{
    (void)i;
    if (c->cpl)
        cpu_gp0(c);
    uint32_t msr = (uint32_t)c->gpr[REG_RCX];
    uint64_t v = 0;
    if (!msr_get(c, msr, &v) && (!c->bus->rdmsr || c->bus->rdmsr(c->bus->opaque, msr, &v) != 0)) {
        bad_msr(c, msr, false, 0);
        cpu_gp0(c);
    }
    c->gpr[REG_RAX] = (uint32_t)v;
    c->gpr[REG_RDX] = v >> 32;
}

/* 0F 30 */
HANDLER(op_wrmsr)
{
    (void)i;
    if (c->cpl)
        cpu_gp0(c);
    uint32_t msr = (uint32_t)c->gpr[REG_RCX];
    uint64_t v = (c->gpr[REG_RDX] << 32) | (uint32_t)c->gpr[REG_RAX];
    int r = msr_set(c, msr, v);
    if (r < 0 || (r == 0 && (!c->bus->wrmsr || c->bus->wrmsr(c->bus->opaque, msr, v) != 0))) {
        bad_msr(c, msr, true, v);
        cpu_gp0(c);
    }
}
