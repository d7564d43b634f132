/*
 * emu/cpu/decode.c: the instruction decoder (SDM Vol 2A chapter 2, "Instruction
 * Format", and appendix A, the opcode maps). Prefixes, REX, opcode, ModRM,
 * SIB, displacement and immediate; the opcode maps themselves are data, in
 * optab.c. The result is a struct insn whose handler pointer runs it.
 */
#include <string.h>

#include "emu/cpu/internal.h"

struct fetch {
    struct cpu *c;
    const uint8_t *p; /* next byte in the current page */
    unsigned left;    /* bytes left in the current page */
    unsigned n;       /* bytes fetched */
    uint64_t lin;     /* linear address of the first byte */
};

static void fetch_refill(struct fetch *f)
{
    uint64_t lin = f->lin + f->n;
    if (f->c->mode != MODE_LONG64)
        lin &= 0xffffffffull;
    uintptr_t page = cpu_tlb_fill(f->c, lin, ACC_FETCH);
    unsigned off = (unsigned)(lin & (X86_PAGE_SIZE - 1));
    f->p = (const uint8_t *)(page + off);
    f->left = (unsigned)X86_PAGE_SIZE - off;
}

static inline uint8_t fetch8(struct fetch *f)
{
    /* more than 15 bytes is #GP(0) (SDM Vol 2A 2.3.11) */
    if (f->n >= X86_MAX_INSN_LEN)
        cpu_gp0(f->c);
    if (!f->left)
        fetch_refill(f);
    f->left--;
    f->n++;
    return *f->p++;
}

static uint64_t fetchn(struct fetch *f, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < bytes; k++)
        v |= (uint64_t)fetch8(f) << (8 * k);
    return v;
}

static unsigned operand_size(const struct cpu *c, const struct insn *i, unsigned attr)
{
    if (attr & A_BYTE)
        return 1;
    if (attr & A_OSZW)
        return (i->rex & 8) ? 8 : 4;
    bool o16 = i->pfx & PFX_OSZ;
    switch (c->mode) {
    case MODE_LONG64:
        if (i->rex & 8)
            return 8;
        if (attr & A_F64)
            return 8;
        if (o16)
            return 2;
        return (attr & A_D64) ? 8 : 4;
    case MODE_PROT32:
        return o16 ? 2 : 4;
    default:
        return o16 ? 4 : 2;
    }
}

static unsigned address_size(const struct cpu *c, const struct insn *i)
{
    bool a = i->pfx & PFX_ASZ;
    switch (c->mode) {
    case MODE_LONG64:
        return a ? 4 : 8;
    case MODE_PROT32:
        return a ? 2 : 4;
    default:
        return a ? 4 : 2;
    }
}

/* 16-bit ModRM addressing (SDM Vol 2A table 2-1) */
static const uint8_t ea16_base[8] = {REG_RBX, REG_RBX, REG_RBP, REG_RBP,
                                     EA_NONE, EA_NONE, REG_RBP, REG_RBX};
static const uint8_t ea16_index[8] = {REG_RSI, REG_RDI, REG_RSI, REG_RDI,
                                      REG_RSI, REG_RDI, EA_NONE, EA_NONE};

static void decode_ea16(struct fetch *f, struct insn *i, unsigned rm)
{
    i->base = ea16_base[rm];
    i->index = ea16_index[rm];
    i->scale = 0;
    if (i->mod == 0 && rm == 6) {
        i->base = EA_NONE;
        i->disp = (int16_t)fetchn(f, 2);
    } else if (i->mod == 1) {
        i->disp = (int8_t)fetch8(f);
    } else if (i->mod == 2) {
        i->disp = (int16_t)fetchn(f, 2);
    }
    if (!(i->pfx & PFX_SEG) && i->base == REG_RBP)
        i->seg = SEG_SS;
}

/* 32- and 64-bit ModRM/SIB addressing (SDM Vol 2A tables 2-2, 2-3) */
static void decode_ea32(struct fetch *f, struct cpu *c, struct insn *i, unsigned rm)
{
    unsigned rex = i->rex;
    i->index = EA_NONE;
    i->scale = 0;
    if (rm == 4) {
        uint8_t sib = fetch8(f);
        unsigned idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
        i->scale = sib >> 6;
        if (idx != REG_RSP)
            i->index = (uint8_t)idx;
        if ((sib & 7) == 5 && i->mod == 0) {
            i->base = EA_NONE;
            i->disp = (int32_t)fetchn(f, 4);
        } else {
            i->base = (uint8_t)((sib & 7) | ((rex & 1) << 3));
        }
    } else if (rm == 5 && i->mod == 0) {
        i->base = c->mode == MODE_LONG64 ? EA_RIP : EA_NONE;
        i->disp = (int32_t)fetchn(f, 4);
    } else {
        i->base = (uint8_t)(rm | ((rex & 1) << 3));
    }
    if (i->mod == 1)
        i->disp = (int8_t)fetch8(f);
    else if (i->mod == 2)
        i->disp = (int32_t)fetchn(f, 4);
    if (!(i->pfx & PFX_SEG) && (i->base == REG_RSP || i->base == REG_RBP))
        i->seg = SEG_SS;
}

static void decode_imm(struct fetch *f, struct insn *i, unsigned attr)
{
    if (attr & A_IMM8) {
        i->imm = (uint64_t)(int64_t)(int8_t)fetch8(f);
    } else if (attr & A_UIMM8) {
        i->imm = fetch8(f);
    } else if (attr & A_IMMZ) {
        if (i->osz == 2)
            i->imm = (uint64_t)(int64_t)(int16_t)fetchn(f, 2);
        else
            i->imm = (uint64_t)(int64_t)(int32_t)fetchn(f, 4);
    } else if (attr & A_IMMV) {
        i->imm = fetchn(f, i->osz);
    } else if (attr & A_IMM16) {
        i->imm = fetchn(f, 2);
    } else if (attr & A_ENTER) {
        i->imm = fetchn(f, 2);
        i->imm2 = fetch8(f);
    } else if (attr & A_MOFFS) {
        i->imm = fetchn(f, i->asz);
    } else if (attr & A_FARPTR) {
        i->imm = fetchn(f, i->osz == 2 ? 2 : 4);
        i->imm2 = (uint16_t)fetchn(f, 2);
    }
}

static void legacy_seg(struct insn *i, unsigned seg, bool mode64)
{
    if (mode64)
        return;
    i->seg = (uint8_t)seg;
    i->pfx |= PFX_SEG;
}

/* an A_PFX entry's choice by mandatory prefix; the prefix that chose is used up */
static const struct opdesc *pfx_select(struct insn *i, const struct opdesc *d)
{
    unsigned slot = (i->pfx & PFX_REPNE) ? PFX_SLOT_F2
                    : (i->pfx & PFX_REP) ? PFX_SLOT_F3
                    : (i->pfx & PFX_OSZ) ? PFX_SLOT_66
                                         : PFX_SLOT_NONE;
    d = &d->group[slot];
    if (slot == PFX_SLOT_66 && !(d->attr & A_KEEP66))
        i->pfx &= (uint8_t)~PFX_OSZ;
    else if (slot >= PFX_SLOT_F3)
        i->pfx &= (uint8_t) ~(PFX_REP | PFX_REPNE);
    return d;
}

void cpu_decode(struct cpu *c, struct insn *i)
{
    struct fetch f = {.c = c, .lin = c->seg[SEG_CS].base + c->rip};
    bool mode64 = c->mode == MODE_LONG64;
    uint8_t b;

    i->pfx = 0;
    i->rex = 0;
    i->seg = SEG_DS;
    i->disp = 0;
    i->imm = 0;
    i->mod = 3;
    i->reg = i->rm = 0;
    for (;;) {
        b = fetch8(&f);
        switch (b) {
        case 0xf0:
            i->pfx |= PFX_LOCK;
            break;
        case 0xf2:
            i->pfx = (uint8_t)((i->pfx & ~PFX_REP) | PFX_REPNE);
            break;
        case 0xf3:
            i->pfx = (uint8_t)((i->pfx & ~PFX_REPNE) | PFX_REP);
            break;
        case 0x66:
            i->pfx |= PFX_OSZ;
            break;
        case 0x67:
            i->pfx |= PFX_ASZ;
            break;
        /* in 64-bit mode ES, CS, SS and DS overrides are ignored (SDM Vol 1 3.3.7.1) */
        case 0x26:
            legacy_seg(i, SEG_ES, mode64);
            break;
        case 0x2e:
            legacy_seg(i, SEG_CS, mode64);
            break;
        case 0x36:
            legacy_seg(i, SEG_SS, mode64);
            break;
        case 0x3e:
            legacy_seg(i, SEG_DS, mode64);
            break;
        case 0x64:
            i->seg = SEG_FS;
            i->pfx |= PFX_SEG;
            break;
        case 0x65:
            i->seg = SEG_GS;
            i->pfx |= PFX_SEG;
            break;
        default:
            /* REX counts only right before the opcode (SDM Vol 2A 2.2.1) */
            if (mode64 && (b & 0xf0) == 0x40) {
                i->rex = b;
                continue;
            }
            goto opcode;
        }
        i->rex = 0;
    }
opcode:
    if (i->rex)
        i->pfx |= PFX_REX;
    const struct opdesc *d;
    if (b != 0x0f) {
        d = &optab_1byte[b];
    } else {
        b = fetch8(&f);
        if (b == 0x38) {
            b = fetch8(&f);
            d = &optab_0f38[b];
        } else if (b == 0x3a) {
            b = fetch8(&f);
            d = &optab_0f3a[b];
        } else {
            d = &optab_0f[b];
        }
    }
    i->op = b;
    if (d->attr & A_PFX)
        d = pfx_select(i, d);
    unsigned attr = d->attr;
    if (!d->fn && !(attr & (A_GROUP | A_REGMEM | A_X87)))
        cpu_ud(c);
    if ((attr & A_I64) && mode64)
        cpu_ud(c);
    i->asz = (uint8_t)address_size(c, i);

    if (attr & A_MODRM) {
        uint8_t modrm = fetch8(&f);
        i->mod = modrm >> 6;
        i->reg = (uint8_t)(((modrm >> 3) & 7) | ((i->rex & 4) << 1));
        unsigned rm = modrm & 7;
        i->rm = (uint8_t)(rm | ((i->rex & 1) << 3));
        if (attr & A_GROUP) {
            d = &d->group[(modrm >> 3) & 7];
            if (!d->fn && !(d->attr & A_REGMEM))
                cpu_ud(c);
            attr = d->attr | (attr & ~(A_GROUP | A_LOCK));
        } else if (attr & A_X87) {
            d = i->mod == 3 ? &optab_x87_reg[b & 7][modrm & 0x3f]
                            : &optab_x87_mem[b & 7][(modrm >> 3) & 7];
            if (!d->fn)
                cpu_ud(c);
            attr = d->attr | (attr & ~A_X87);
        }
        if (attr & A_REGMEM) {
            d = &d->group[i->mod == 3];
            if (!d->fn)
                cpu_ud(c);
            attr = d->attr | (attr & ~(A_REGMEM | A_LOCK));
        }
        if (attr & A_REGONLY) {
            i->mod = 3;
        } else if (i->mod != 3) {
            if (i->asz == 2)
                decode_ea16(&f, i, rm);
            else
                decode_ea32(&f, c, i, rm);
        } else if (attr & A_MEM) {
            cpu_ud(c);
        }
    }
    i->osz = (uint8_t)operand_size(c, i, attr);
    decode_imm(&f, i, attr);

    /* LOCK only on a lockable instruction writing memory (SDM Vol 2A LOCK) */
    if ((i->pfx & PFX_LOCK) && (!(attr & A_LOCK) || i->mod == 3))
        cpu_ud(c);
    i->fn = d->fn;
    i->len = (uint8_t)f.n;
}

unsigned cpu_decode_length(struct cpu *c)
{
    struct insn i;
    memset(&c->exc, 0, sizeof c->exc);
    if (__builtin_setjmp(c->jmp))
        return 0;
    cpu_decode(c, &i);
    return i.len;
}
