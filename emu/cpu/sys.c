/*
 * emu/cpu/sys.c: control registers and the system instructions (SDM Vol 3A
 * 2.5 control registers, 9.8.5 entering long mode; Vol 2 MOV CRn, MOV DRn,
 * CLTS, INVLPG, INVD/WBINVD, LMSW/SMSW, SWAPGS, SYSCALL/SYSRET,
 * SYSENTER/SYSEXIT), and the machine's entry points for INIT, SIPI and the
 * boot protocols (9.1.1 table 9-1, 9.4.4).
 */
#include <string.h>

#include "emu/cpu/internal.h"

/* CR0 bits a guest may set; ET is fixed at 1 (2.5) */
#define CR0_VALID                                                                                  \
    (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD |     \
     CR0_PG)
/* CR4 bits of the features baremu implements */
#define CR4_VALID                                                                                  \
    (CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR |             \
     CR4_OSXMMEXCPT | CR4_OSXSAVE | CR4_SMEP | CR4_SMAP)

/* flat segments of the boot protocols (selectors as Linux's boot GDT: 0x10 code, 0x18 data) */
static struct seg flat_seg(uint16_t sel, uint16_t attr)
{
    return (struct seg){.base = 0, .limit = 0xffffffffu, .sel = sel, .attr = attr};
}

/* ---- control registers -------------------------------------------------------- */

void cpu_write_cr0(struct cpu *c, uint64_t v)
{
    if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        cpu_gp0(c);
    v = (v & CR0_VALID) | CR0_ET;
    if ((v & CR0_PG) && !(c->cr0 & CR0_PG) && (c->efer & EFER_LME)) {
        /* activating IA-32e mode (9.8.5): needs PAE, and not from a 64-bit CS */
        if (!(c->cr4 & CR4_PAE) || (c->seg[SEG_CS].attr & SEG_ATTR_L))
            cpu_gp0(c);
        c->efer |= EFER_LMA;
    } else if (!(v & CR0_PG) && (c->cr0 & CR0_PG) && (c->efer & EFER_LMA)) {
        if (c->mode == MODE_LONG64)
            cpu_gp0(c); /* leaving long mode only from compatibility mode */
        c->efer &= ~(uint64_t)EFER_LMA;
    }
    c->cr0 = v;
    cpu_tlb_flush(c);
    cpu_update_mode(c);
}

static void write_cr4(struct cpu *c, uint64_t v)
{
    if (v & ~(uint64_t)CR4_VALID)
        cpu_gp0(c);
    if ((c->efer & EFER_LMA) && !(v & CR4_PAE))
        cpu_gp0(c);
    c->cr4 = v;
    cpu_tlb_flush(c);
}

static uint64_t read_cr8(struct cpu *c)
{
    return c->bus->cr8_read ? c->bus->cr8_read(c->bus->opaque) : c->cr8;
}

/* 0F 20 MOV r, CRn; 0F 22 MOV CRn, r. The operand is always a register, 64-bit in 64-bit mode */
HANDLER(op_mov_cr)
{
    unsigned n = i->reg, size = c->mode == MODE_LONG64 ? 8 : 4;
    if (c->cpl)
        cpu_gp0(c);
    if (i->pfx & PFX_LOCK) /* AMD's alternative CR8 encoding: not offered */
        cpu_ud(c);
    if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8)
        cpu_ud(c);
    if (i->op == 0x20) {
        uint64_t v = n == 0   ? c->cr0
                     : n == 2 ? c->cr2
                     : n == 3 ? c->cr3
                     : n == 4 ? c->cr4
                              : read_cr8(c);
        gpr_write(c, i->rm, size, v);
        return;
    }
    uint64_t v = c->gpr[i->rm] & size_mask(size);
    switch (n) {
    case 0:
        cpu_write_cr0(c, v);
        break;
    case 2:
        c->cr2 = v;
        break;
    case 3:
        if ((c->efer & EFER_LMA) && (v >> 46))
            cpu_gp0(c); /* reserved physical-address bits */
        c->cr3 = v;
        cpu_tlb_flush(c); /* every entry, global ones too: allowed (4.10.4.1) */
        break;
    case 4:
        write_cr4(c, v);
        break;
    case 8:
        if (v >> 4)
            cpu_gp0(c);
        if (c->bus->cr8_write)
            c->bus->cr8_write(c->bus->opaque, v);
        else
            c->cr8 = v;
        break;
    }
}

/* 0F 21 MOV r, DRn; 0F 23 MOV DRn, r: storage only (no breakpoints yet, XXX) */
HANDLER(op_mov_dr)
{
    unsigned n = i->reg, size = c->mode == MODE_LONG64 ? 8 : 4;
    if (c->cpl)
        cpu_gp0(c);
    if (n >= 8 || ((n == 4 || n == 5) && (c->cr4 & CR4_DE)))
        cpu_ud(c);
    if (n == 4 || n == 5)
        n += 2; /* aliases of DR6, DR7 */
    if (i->op == 0x21) {
        uint64_t v = c->dr[n];
        if (n == 6)
            v |= 0xffff0ff0u;
        else if (n == 7)
            v |= 0x400;
        gpr_write(c, i->rm, size, v);
    } else {
        uint64_t v = c->gpr[i->rm] & size_mask(size);
        if ((n == 6 || n == 7) && (v >> 32))
            cpu_gp0(c);
        c->dr[n] = v;
    }
}

/* 0F 06 */
HANDLER(op_clts)
{
    (void)i;
    if (c->cpl)
        cpu_gp0(c);
    c->cr0 &= ~(uint64_t)CR0_TS;
}

/* 0F 08 INVD, 0F 09 WBINVD: caches are coherent, nothing to do */
HANDLER(op_invd)
{
    (void)i;
    if (c->cpl)
        cpu_gp0(c);
}

/* ---- group 7 (0F 01) ------------------------------------------------------------ */

/* 0F 01 F8 SWAPGS (64-bit mode only) */
static void swapgs(struct cpu *c)
{
    if (c->mode != MODE_LONG64)
        cpu_ud(c);
    if (c->cpl)
        cpu_gp0(c);
    uint64_t t = c->seg[SEG_GS].base;
    c->seg[SEG_GS].base = c->kernel_gs_base;
    c->kernel_gs_base = t;
}

uint64_t cpu_guest_tsc(struct cpu *c)
{
    return (c->bus->tsc ? c->bus->tsc(c->bus->opaque) : c->icount) + c->tsc_offset;
}

/* 0F 01 F9 RDTSCP */
static void rdtscp(struct cpu *c)
{
    if ((c->cr4 & CR4_TSD) && c->cpl)
        cpu_gp0(c);
    uint64_t t = cpu_guest_tsc(c);
    c->gpr[REG_RAX] = (uint32_t)t;
    c->gpr[REG_RDX] = t >> 32;
    c->gpr[REG_RCX] = (uint32_t)c->tsc_aux;
}

/* 0F 01 CA CLAC, 0F 01 CB STAC (SDM Vol 2A): CPL 0 only; no lock prefix, no
 * virtual-8086 mode (not modelled) */
static void stac_clac(struct cpu *c, bool set)
{
    if (c->cpl)
        cpu_ud(c);
    uint64_t fl = cpu_get_rflags(c);
    cpu_set_rflags(c, set ? fl | RFLAGS_AC : fl & ~(uint64_t)RFLAGS_AC);
}

HANDLER(op_grp7)
{
    unsigned op = i->reg & 7;
    if (i->mod == 3) {
        if (op == 7 && (i->rm & 7) == 0)
            swapgs(c);
        else if (op == 7 && (i->rm & 7) == 1)
            rdtscp(c);
        else if (op == 2 && (i->rm & 7) == 0)
            cpu_xgetbv(c, i);
        else if (op == 2 && (i->rm & 7) == 1)
            cpu_xsetbv(c, i);
        else if (op == 1 && ((i->rm & 7) == 2 || (i->rm & 7) == 3))
            stac_clac(c, (i->rm & 7) == 3);
        else if (op == 4 || op == 6)
            goto msw;
        else
            cpu_ud(c); /* MONITOR, MWAIT, VMX, ...: not offered */
        return;
    }
    switch (op) {
    case 0:
        cpu_sgdt_sidt(c, i, &c->gdtr);
        return;
    case 1:
        cpu_sgdt_sidt(c, i, &c->idtr);
        return;
    case 2:
        cpu_lgdt_lidt(c, i, &c->gdtr);
        return;
    case 3:
        cpu_lgdt_lidt(c, i, &c->idtr);
        return;
    case 7: /* INVLPG */
        if (c->cpl)
            cpu_gp0(c);
        if (c->tlb_large) {
            cpu_tlb_flush(c); /* the page may be part of a large one: drop every piece */
        } else {
            /* the linear address, without segment checks */
            uint64_t lin = cpu_ea(c, i) + c->seg[i->seg].base;
            if (c->mode != MODE_LONG64)
                lin &= 0xffffffffull;
            struct tlb_entry *e = tlb_entry(c, lin);
            e->tag = e->wtag = e->xtag = CPU_TLB_INVALID;
        }
        return;
    default:
        break;
    }
msw:
    if (op == 4) { /* SMSW */
        if (i->mod == 3)
            reg_write(c, i, i->rm, i->osz, c->cr0 & size_mask(i->osz));
        else
            mem_write(c, i->seg, cpu_ea(c, i), 2, c->cr0);
        return;
    }
    if (op == 6) { /* LMSW: PE can be set, not cleared; MP, EM, TS */
        if (c->cpl)
            cpu_gp0(c);
        uint64_t v = rm_read(c, i, 2) & 0xf;
        cpu_write_cr0(c, (c->cr0 & ~0xeull) | v | (c->cr0 & CR0_PE));
        return;
    }
    cpu_ud(c);
}

/* ---- SYSCALL/SYSRET (SDM Vol 2B) and SYSENTER/SYSEXIT ----------------------------- */

static const uint16_t code64_attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_G | SEG_ATTR_L |
                                    SEG_TYPE_CODE | SEG_TYPE_WRITABLE | SEG_TYPE_ACCESSED;
static const uint16_t code32_attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_G | SEG_ATTR_DB |
                                    SEG_TYPE_CODE | SEG_TYPE_WRITABLE | SEG_TYPE_ACCESSED;
static const uint16_t data_attr =
    SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_G | SEG_ATTR_DB | SEG_TYPE_WRITABLE | SEG_TYPE_ACCESSED;
#define DPL3 (3u << SEG_ATTR_DPL_SHIFT)

/* 0F 05 */
HANDLER(op_syscall)
{
    (void)i;
    if (!(c->efer & EFER_LMA) || !(c->efer & EFER_SCE))
        cpu_ud(c); /* XXX: legacy-mode SYSCALL (AMD only) is not offered */
    if (c->mode != MODE_LONG64 && c->mode != MODE_PROT32 && c->mode != MODE_PROT16)
        cpu_ud(c);
    uint16_t sel = (uint16_t)(c->star >> 32) & ~SEL_RPL;
    uint64_t target = c->mode == MODE_LONG64 ? c->lstar : c->cstar;
    c->gpr[REG_RCX] = c->next_rip;
    uint64_t fl = cpu_get_rflags(c);
    c->gpr[REG_R11] = fl & ~(uint64_t)RFLAGS_RF;
    c->rflags = (fl & ~c->sfmask & ~(uint64_t)RFLAGS_RF) | RFLAGS_FIXED;
    c->lf.op = LF_NONE;
    c->seg[SEG_CS] = flat_seg(sel, code64_attr);
    c->seg[SEG_SS] = flat_seg((uint16_t)(sel + 8), data_attr);
    cpu_set_cpl(c, 0);
    cpu_update_mode(c);
    c->next_rip = target;
}

/* 0F 07 */
HANDLER(op_sysret)
{
    if (!(c->efer & EFER_SCE))
        cpu_ud(c);
    if (c->mode != MODE_LONG64 || c->cpl)
        cpu_gp0(c);
    uint16_t sel = (uint16_t)(c->star >> 48);
    uint64_t rip = c->gpr[REG_RCX];
    if (i->osz == 8) {
        if (!is_canonical(rip))
            cpu_gp0(c); /* Intel faults in ring 0 here */
        c->seg[SEG_CS] = flat_seg((uint16_t)((sel + 16) | 3), code64_attr | DPL3);
    } else {
        rip &= 0xffffffffull;
        c->seg[SEG_CS] = flat_seg((uint16_t)(sel | 3), code32_attr | DPL3);
    }
    /* SS: selector only, the cache is a flat DPL 3 data segment (SDM Vol 2B SYSRET) */
    c->seg[SEG_SS] = flat_seg((uint16_t)((sel + 8) | 3), data_attr | DPL3);
    uint64_t old = cpu_get_rflags(c);
    cpu_set_rflags(c, (c->gpr[REG_R11] & 0x3c7fd7) & ~(uint64_t)(RFLAGS_RF | RFLAGS_VM));
    cpu_set_cpl(c, 3);
    cpu_update_mode(c);
    c->next_rip = rip;
    cpu_tf_check(c, old);
}

/* 0F 34 */
HANDLER(op_sysenter)
{
    (void)i;
    uint16_t sel = (uint16_t)c->sysenter_cs & ~SEL_RPL;
    if (c->mode == MODE_REAL || !(sel & ~SEL_TI))
        cpu_gp0(c);
    bool lma = (c->efer & EFER_LMA) != 0;
    c->rflags &= ~(uint64_t)(RFLAGS_VM | RFLAGS_IF | RFLAGS_RF);
    c->seg[SEG_CS] = flat_seg(sel, lma ? code64_attr : code32_attr);
    c->seg[SEG_SS] = flat_seg((uint16_t)(sel + 8), data_attr);
    cpu_set_cpl(c, 0);
    cpu_update_mode(c);
    c->gpr[REG_RSP] = lma ? c->sysenter_esp : (uint32_t)c->sysenter_esp;
    c->next_rip = lma ? c->sysenter_eip : (uint32_t)c->sysenter_eip;
}

/* 0F 35 */
HANDLER(op_sysexit)
{
    uint16_t sel = (uint16_t)c->sysenter_cs & ~SEL_RPL;
    if (c->mode == MODE_REAL || c->cpl || !(sel & ~SEL_TI))
        cpu_gp0(c);
    bool to64 = i->osz == 8;
    if (to64) {
        c->seg[SEG_CS] = flat_seg((uint16_t)((sel + 32) | 3), code64_attr | DPL3);
        c->seg[SEG_SS] = flat_seg((uint16_t)((sel + 40) | 3), data_attr | DPL3);
        c->gpr[REG_RSP] = c->gpr[REG_RCX];
        c->next_rip = c->gpr[REG_RDX];
    } else {
        c->seg[SEG_CS] = flat_seg((uint16_t)((sel + 16) | 3), code32_attr | DPL3);
        c->seg[SEG_SS] = flat_seg((uint16_t)((sel + 24) | 3), data_attr | DPL3);
        c->gpr[REG_RSP] = (uint32_t)c->gpr[REG_RCX];
        c->next_rip = (uint32_t)c->gpr[REG_RDX];
    }
    cpu_set_cpl(c, 3);
    cpu_update_mode(c);
}

/* ---- the machine's entry points ---------------------------------------------------- */

/* what INIT keeps (9.1.1 table 9-1): the MSRs and MTRRs, and what the machine set */
struct init_keep {
    struct cpu_features feat;
    const volatile uint32_t *events;
    uint8_t events_need_if, events_need_nmi_open;
    uint64_t kernel_gs_base, star, lstar, cstar, sfmask;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_aux, pat, misc_enable, tsc_offset, tsc_adjust, mtrr_def;
    uint64_t mtrr_fixed[11], mtrr_var[16];
    uint64_t icount;
    struct x87_state x87;
    union xmm xmm[16];
    uint32_t mxcsr;
    uint64_t xcr0;
};

void cpu_init_reset(struct cpu *c)
{
    struct init_keep k = {.feat = c->feat,
                          .events = c->events,
                          .events_need_if = c->events_need_if,
                          .events_need_nmi_open = c->events_need_nmi_open,
                          .kernel_gs_base = c->kernel_gs_base,
                          .star = c->star,
                          .lstar = c->lstar,
                          .cstar = c->cstar,
                          .sfmask = c->sfmask,
                          .sysenter_cs = c->sysenter_cs,
                          .sysenter_esp = c->sysenter_esp,
                          .sysenter_eip = c->sysenter_eip,
                          .tsc_aux = c->tsc_aux,
                          .pat = c->pat,
                          .misc_enable = c->misc_enable,
                          .tsc_offset = c->tsc_offset,
                          .tsc_adjust = c->tsc_adjust,
                          .mtrr_def = c->mtrr_def,
                          .icount = c->icount,
                          .x87 = c->x87};
    memcpy(k.mtrr_fixed, c->mtrr_fixed, sizeof k.mtrr_fixed);
    memcpy(k.mtrr_var, c->mtrr_var, sizeof k.mtrr_var);
    memcpy(k.xmm, c->xmm, sizeof k.xmm);
    k.mxcsr = c->mxcsr, k.xcr0 = c->xcr0;
    cpu_init(c, c->bus, c->index); /* EFER and the rest as at RESET */
    c->feat = k.feat, c->events = k.events, c->kernel_gs_base = k.kernel_gs_base;
    c->events_need_if = k.events_need_if, c->events_need_nmi_open = k.events_need_nmi_open;
    c->star = k.star, c->lstar = k.lstar, c->cstar = k.cstar, c->sfmask = k.sfmask;
    c->sysenter_cs = k.sysenter_cs, c->sysenter_esp = k.sysenter_esp;
    c->sysenter_eip = k.sysenter_eip, c->tsc_aux = k.tsc_aux, c->pat = k.pat;
    c->misc_enable = k.misc_enable, c->tsc_offset = k.tsc_offset, c->mtrr_def = k.mtrr_def;
    c->tsc_adjust = k.tsc_adjust;
    memcpy(c->mtrr_fixed, k.mtrr_fixed, sizeof k.mtrr_fixed);
    memcpy(c->mtrr_var, k.mtrr_var, sizeof k.mtrr_var);
    c->icount = k.icount;
    c->x87 = k.x87;                       /* INIT keeps the x87 state (SDM Vol 3A table 9-1) */
    memcpy(c->xmm, k.xmm, sizeof c->xmm); /* and the SSE state, and XCR0 */
    c->mxcsr = k.mxcsr, c->xcr0 = k.xcr0;
}

void cpu_start_sipi(struct cpu *c, uint8_t vector)
{
    /* 9.4.4: real mode, CS = vector << 8 (base vector << 12), IP = 0 */
    c->seg[SEG_CS].sel = (uint16_t)(vector << 8);
    c->seg[SEG_CS].base = (uint64_t)vector << 12;
    cpu_update_mode(c);
    c->rip = 0;
    c->exit_req = 0;
}

void cpu_enter_protected32(struct cpu *c, uint32_t eip)
{
    /* Multiboot 3.2 / PVH: flat 32-bit protected mode, paging off, CPL 0, IF 0 */
    c->cr0 = CR0_PE | CR0_ET;
    c->cr4 = 0;
    c->efer = 0;
    for (unsigned s = 0; s < NUM_SEGS; s++)
        c->seg[s] = flat_seg(0x18, data_attr);
    c->seg[SEG_CS] = flat_seg(0x10, code32_attr);
    c->cpl = 0;
    c->stop_at_exc = false;
    cpu_set_rflags(c, cpu_get_rflags(c) & ~(uint64_t)(RFLAGS_IF | RFLAGS_VM | RFLAGS_TF));
    c->rip = eip;
    cpu_tlb_flush(c);
    cpu_update_mode(c);
}

void cpu_enter_long64(struct cpu *c, uint64_t rip, uint64_t cr3)
{
    /* Linux boot protocol, 64-bit entry: long mode, paging at cr3, flat __BOOT_CS/__BOOT_DS */
    c->cr0 = CR0_PE | CR0_ET | CR0_PG;
    c->cr4 = CR4_PAE;
    c->cr3 = cr3;
    c->efer = EFER_LME | EFER_LMA;
    for (unsigned s = 0; s < NUM_SEGS; s++)
        c->seg[s] = flat_seg(0x18, data_attr);
    c->seg[SEG_CS] = flat_seg(0x10, code64_attr);
    c->cpl = 0;
    c->stop_at_exc = false;
    cpu_set_rflags(c, cpu_get_rflags(c) & ~(uint64_t)(RFLAGS_IF | RFLAGS_VM | RFLAGS_TF));
    c->rip = rip;
    cpu_tlb_flush(c);
    cpu_update_mode(c);
}
