/*
 * tests/diff/encode.c: turn templates into bytes (SDM Vol 2A chapter 2),
 * with random registers, memory operands, immediates and prefixes, and draw
 * random cases.
 */
#include <stdio.h>
#include <string.h>

#include "tests/diff/gen.h"

#define CF   0x001u
#define PF   0x004u
#define AF   0x010u
#define ZF   0x040u
#define SF   0x080u
#define OF   0x800u
#define ALLF (CF | PF | AF | ZF | SF | OF)
#define DF   0x400u
#define IF   0x200u
#define IOPL 0x3000u
#define ID   0x200000u

#define DATA_BASE (DIFF_DATA_VA + 0x1000) /* R15 or EBP: never written by a template */
#define STACK_TOP (DIFF_DATA_VA + 0x1800)
#define MAX_INSNS DIFF_MAX_INSNS

struct branch_fix {
    unsigned at, size, end, from;
};

/* the generator's state for the case being built */
static struct {
    bool code32;
    unsigned undef; /* flags that may be undefined here, on some path */
    bool branched;  /* a branch has been emitted: definitions no longer clear undef */
    bool called;    /* a CALL rel: no RET after it, which would run code backwards */
    unsigned starts[MAX_INSNS + 1];
    bool glued[MAX_INSNS + 1]; /* no branch may land here */
    unsigned n;
    struct branch_fix fix[MAX_INSNS];
    unsigned nfix;
} g;

static bool code16; /* with g.code32: 16-bit code segments */
static unsigned classes = CLS_ALL;

void gen_select(unsigned mask)
{
    classes = mask;
}

bool gen_class_on(unsigned cls)
{
    return classes & (1u << cls);
}

void gen_code16(bool on)
{
    code16 = on;
}

bool gen_is_code16(void)
{
    return code16;
}

static unsigned rnd(uint64_t *s, unsigned n)
{
    return (unsigned)(diff_rand(s) % n);
}

unsigned gen_sizes(const struct tmpl *t, bool code32)
{
    unsigned s = t->sizes;
    if (!s)
        return 0;
    if (t->tf & T_D64)
        return s & (code32 ? SZ_W | SZ_D : SZ_W | SZ_Q);
    if (t->tf & T_F64)
        return code32 ? (code16 ? SZ_W : SZ_D) : SZ_Q;
    return code32 ? s & ~SZ_Q : s;
}

bool gen_usable(const struct tmpl *t, bool code32)
{
    if (!(classes & (1u << t->cls)))
        return false;
    if ((code32 && (t->tf & T_ONLY64)) || (!code32 && (t->tf & T_ONLY32)))
        return false;
    /*
     * In 16-bit code a random target often lands inside the case, mid-
     * instruction, and runs what is not implemented yet (far calls, BCD, ...);
     * JMP r/m to a zero word even jumps to itself forever. No indirect
     * branches there.
     */
    if (code32 && code16 &&
        (!strcmp(t->name, "jmp rm") || !strcmp(t->name, "call rm") || !strncmp(t->name, "ret", 3)))
        return false;
    return !t->sizes || gen_sizes(t, code32);
}

static uint64_t pick_value(uint64_t *s)
{
    uint64_t r = diff_rand(s);
    switch (r % 16) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return ~0ull;
    case 3:
        return 0x80000000ull;
    case 4:
        return 0x7fffffffull;
    case 5:
        return 0xffffffffull;
    case 6:
        return 0x8000000000000000ull;
    case 7:
        return 0x7fffffffffffffffull;
    case 8:
        return (r >> 8) % 64;
    case 9:
        return (uint32_t)(r >> 16);
    case 12:
        return DIFF_DATA_VA + (r >> 16) % DIFF_DATA_SIZE;
    case 13:
        return 0x80;
    case 14:
        return 0xffff;
    case 15:
        return 0x100000000ull | ((r >> 8) & 0xff);
    default:
        return diff_rand(s);
    }
}

void gen_start(struct diff_case *dc, uint64_t *rng, bool code32)
{
    memset(dc, 0, sizeof *dc);
    memset(&g, 0, sizeof g);
    g.code32 = dc->code32 = code32;
    dc->code16 = code32 && code16;
    for (int k = 0; k < 16; k++)
        dc->regs[k] = pick_value(rng);
    if (rnd(rng, 10) < 7)
        dc->regs[6] = DIFF_DATA_VA + 0x100 + rnd(rng, 0x1c00); /* RSI */
    if (rnd(rng, 10) < 7)
        dc->regs[7] = DIFF_DATA_VA + 0x100 + rnd(rng, 0x1c00); /* RDI */
    if (rnd(rng, 10) < 6)
        dc->regs[1] = rnd(rng, 17); /* RCX, for REP and LOOP */
    dc->regs[4] = STACK_TOP - 8 * rnd(rng, 4);
    dc->regs[code32 ? 5 : 15] = DATA_BASE;
    if (dc->code16) /* offsets in the data segment */
        for (int k = 4; k < 8; k++)
            if (dc->regs[k] - DIFF_DATA_VA < DIFF_DATA_SIZE)
                dc->regs[k] -= DIFF_DATA_VA;
    if (code32)
        for (int k = 0; k < 16; k++)
            dc->regs[k] = k < 8 ? (uint32_t)dc->regs[k] : 0;
    dc->rflags = (diff_rand(rng) & ALLF) | IF | 0x2 | (rnd(rng, 8) ? 0 : DF);
    dc->data_seed = diff_rand(rng);
    diff_fpu_random(&dc->fpu, rng);
    /* on entry every flag is defined */
}

/* a general register a template may write: not RSP, nor the data base */
static unsigned pick_reg(uint64_t *rng, bool byte)
{
    if (g.code32) {
        static const uint8_t r32[] = {0, 1, 2, 3, 6, 7};
        return byte ? rnd(rng, 8) : r32[rnd(rng, sizeof r32)];
    }
    static const uint8_t r64[] = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    if (byte && rnd(rng, 4) == 0)
        return 4; /* AH, unless a REX ends up present */
    return r64[rnd(rng, sizeof r64)];
}

struct enc {
    uint8_t pfx[20];
    unsigned npfx;
    uint8_t rex;
    bool modrm_on, sib_on;
    uint8_t modrm, sib;
    uint8_t disp[4];
    unsigned ndisp;
    bool riprel;
    uint64_t riprel_target;
    uint8_t imm[8];
    unsigned nimm;
};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/*
 * An XMM register (XMM8-15 only in 64-bit mode), or an MMX register, whose
 * number has only three bits: in 64-bit mode a REX.R or REX.B with it is
 * ignored, so sometimes it comes along.
 */
static unsigned pick_simd(uint64_t *rng, unsigned kind)
{
    if (kind == OPK_XMM)
        return rnd(rng, g.code32 ? 8 : 16);
    return rnd(rng, 8) | (!g.code32 && rnd(rng, 4) == 0 ? 8 : 0);
}

static unsigned pick_operand(uint64_t *rng, unsigned kind, bool byte)
{
    return kind == OPK_GPR ? pick_reg(rng, byte) : pick_simd(rng, kind);
}

/* a memory operand: mostly into the data pages, sometimes at their edges or anywhere */
static void enc_mem(struct enc *e, uint64_t *rng, const struct tmpl *t)
{
    unsigned base = g.code32 ? 5 : 15, kind = rnd(rng, 100);
    bool a16 = code16 && g.code32 && kind >= 96 && rnd(rng, 2);
    if (code16 && g.code32 && !a16)
        e->pfx[e->npfx++] = 0x67; /* 32-bit addressing in 16-bit code */
    e->modrm_on = true;
    bool aligned = t->tf & (T_ALIGN16 | T_ALIGN64);
    if (kind < 70 || (aligned && kind < 90)) {
        int8_t d = (int8_t)(diff_rand(rng) & 0xff);
        if ((t->tf & T_ALIGN16) && rnd(rng, 4))
            d &= ~15;
        if ((t->tf & T_ALIGN64) && rnd(rng, 4))
            d &= ~63;
        e->modrm |= 0x40 | (base & 7);
        e->rex |= base >> 3;
        e->disp[0] = (uint8_t)d;
        e->ndisp = 1;
    } else if (kind < 78) {
        /* at a page edge: across into a guard page, into one, or across the data pages */
        static const int64_t edges[] = {
            DIFF_GUARD_HI,
            DIFF_DATA_VA,
            DIFF_DATA_VA + 0x1000,
            DIFF_GUARD_HI + 0x100,
        };
        uint64_t target = edges[rnd(rng, 4)] - 1 - rnd(rng, t->msize ? t->msize : 8);
        e->modrm |= 0x80 | (base & 7);
        e->rex |= base >> 3;
        put_le(e->disp, target - DATA_BASE, 4);
        e->ndisp = 4;
    } else if (kind < 86) {
        unsigned idx = pick_reg(rng, false);
        e->modrm |= 0x44;
        e->sib = (uint8_t)((rnd(rng, 4) << 6) | ((idx & 7) << 3) | (base & 7));
        e->sib_on = true;
        e->rex |= (base >> 3) | ((idx >> 3) << 1);
        e->disp[0] = (uint8_t)diff_rand(rng);
        e->ndisp = 1;
    } else if (kind < 92 && !g.code32) {
        e->modrm |= 0x05;
        e->riprel = true;
        e->riprel_target = DIFF_DATA_VA + rnd(rng, DIFF_DATA_SIZE - 16);
        e->ndisp = 4;
    } else if (kind < 96) {
        uint64_t a = (code16 ? 0 : DIFF_DATA_VA) + rnd(rng, DIFF_DATA_SIZE - 16);
        if (g.code32) {
            e->modrm |= 0x05;
        } else {
            e->modrm |= 0x04;
            e->sib = 0x25;
            e->sib_on = true;
        }
        put_le(e->disp, a, 4);
        e->ndisp = 4;
    } else if (a16 || (g.code32 && !code16 && rnd(rng, 2))) {
        /* 16-bit addressing: below 64 KiB nothing is mapped, so CR2 shows the address */
        unsigned mod = rnd(rng, 3), rm = rnd(rng, 8);
        if (!code16)
            e->pfx[e->npfx++] = 0x67;
        e->modrm |= (uint8_t)(mod << 6 | rm);
        e->ndisp = mod == 1 ? 1 : (mod == 2 || rm == 6) ? 2 : 0;
        put_le(e->disp, diff_rand(rng), e->ndisp);
    } else {
        unsigned r = pick_reg(rng, false);
        if ((r & 7) == 4)
            r = 0;
        e->modrm |= 0x40 | (r & 7);
        e->rex |= r >> 3;
        e->disp[0] = (uint8_t)diff_rand(rng);
        e->ndisp = 1;
    }
}

static uint64_t pick_imm(uint64_t *rng, unsigned bytes)
{
    uint64_t v = pick_value(rng);
    if (rnd(rng, 3) == 0)
        v = diff_rand(rng);
    return bytes >= 8 ? v : v & ((1ull << (8 * bytes)) - 1);
}

static unsigned shift_count(uint64_t *rng)
{
    static const uint8_t edge[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64};
    return rnd(rng, 2) ? edge[rnd(rng, sizeof edge)] : rnd(rng, 256);
}

/* the flags a shift or rotate by cnt defines and leaves undefined (SDM Vol 2B SAL/SAR/SHL/SHR) */
static void shift_flags(unsigned kind, unsigned size, unsigned cnt, bool dshift, unsigned *use,
                        unsigned *def, unsigned *undef)
{
    unsigned m = cnt & (size == 8 ? 63 : 31), n = size * 8;
    *use = *def = *undef = 0;
    if (!m)
        return;
    if (dshift) {
        *def = CF | SF | ZF | PF | (m == 1 ? OF : 0);
        *undef = AF | (m == 1 ? 0 : OF) | (m > n ? ALLF : 0);
        return;
    }
    if (kind <= 3) { /* rotates: CF, and OF for a count of 1 */
        *use = kind >= 2 ? CF : 0;
        *def = CF | (m == 1 ? OF : 0);
        *undef = m == 1 ? 0 : OF;
        return;
    }
    *def = CF | SF | ZF | PF | (m == 1 ? OF : 0);
    *undef = AF | (m == 1 ? 0 : OF) | (m >= n ? CF : 0);
}

static bool emit_bytes(struct diff_case *dc, const uint8_t *b, unsigned n, bool glued)
{
    if (dc->code_len + n > DIFF_CODE_MAX || g.n >= MAX_INSNS)
        return false;
    g.starts[g.n] = dc->code_len;
    g.glued[g.n] = glued;
    dc->start[g.n] = (uint16_t)dc->code_len;
    dc->undef_at[g.n] = g.undef;
    g.n++;
    memcpy(dc->code + dc->code_len, b, n);
    dc->code_len += n;
    return true;
}

static void flags_step(unsigned def, unsigned undef)
{
    if (!g.branched)
        g.undef &= ~def;
    g.undef |= undef;
}

bool gen_append(struct diff_case *dc, uint64_t *rng, const struct tmpl *t, unsigned size,
                unsigned rmk)
{
    struct enc e;
    memset(&e, 0, sizeof e);
    bool glue = false;
    unsigned sizes = gen_sizes(t, g.code32);
    if (t->tf & T_X87)
        dc->fp = true; /* show the FPU state when it fails */
    if (t->tf & T_X87TR)
        dc->fp_approx = true;
    if (!size && sizes) {
        do
            size = 1u << rnd(rng, 4);
        while (!(sizes & size));
    }
    unsigned use = t->use, def = t->def, undef = t->undef;
    unsigned cnt = 0;
    bool byte = size == SZ_B;

    if (t->tf & (T_SHIFT | T_DSHIFT)) {
        cnt = (t->tf & T_ONE) ? 1 : shift_count(rng);
        if ((t->tf & T_DSHIFT) && size == SZ_W)
            cnt &= 15; /* beyond 16 the result is undefined */
        shift_flags(t->ext, size, cnt, t->tf & T_DSHIFT, &use, &def, &undef);
        if (t->tf & T_CL) {
            const uint8_t mov_cl[2] = {0xb1, (uint8_t)cnt};
            if (!emit_bytes(dc, mov_cl, 2, false))
                return false;
            glue = true;
        }
    }
    if (t->tf & (T_XMASK | T_ECX0)) {
        /* MOVs, which leave the flags alone; 66 makes them 32-bit in 16-bit code */
        uint8_t b[18];
        unsigned n = 0;
        bool narrow = code16 && g.code32;
        const uint8_t regs[3] = {0xba, 0xb8, 0xb9}; /* EDX 0, EAX mask, ECX 0 */
        for (unsigned k = (t->tf & T_XMASK) ? 0 : 2; k < ((t->tf & T_XMASK) ? 2u : 3u); k++) {
            if (narrow)
                b[n++] = 0x66;
            b[n++] = regs[k];
            put_le(b + n, k == 1 ? rnd(rng, 4) : 0, 4);
            n += 4;
        }
        if (!emit_bytes(dc, b, n, glue))
            return false;
        glue = true;
    }
    if (t->tf & T_POPF) {
        uint32_t f = (uint32_t)diff_rand(rng) & (ALLF | DF | IF | IOPL | ID);
        /* PUSH imm32, or imm16 in 16-bit code, so the POPF of any size pops f */
        bool narrow = code16 && g.code32;
        uint8_t push[6] = {0x66, 0x68};
        put_le(push + 2, f | 2, 4);
        bool imm16 = narrow && size == SZ_W, prefixed = narrow && size != SZ_W;
        if (!emit_bytes(dc, prefixed ? push : push + 1, prefixed ? 6 : imm16 ? 3 : 5, glue))
            return false;
        glue = true;
    }
    unsigned skipped = 0; /* flags still undefined on paths that jump past the CMP */
    if (use & g.undef) {
        static const uint8_t cmp[2] = {0x39, 0xc0}; /* CMP EAX,EAX defines every status flag */
        if (!emit_bytes(dc, cmp, 2, glue))
            return false;
        if (g.branched)
            skipped = g.undef;
        g.undef = 0;
        glue = true;
    }

    unsigned opstart = 0;
    /*
     * MMX/SSE forms sometimes get one more of 66, F2, F3, before or after
     * their own: which prefix chooses the instruction is the host's call.
     */
    static const uint8_t noise[] = {0x66, 0xf2, 0xf3};
    bool noisy = (t->tf & T_SIMD) && rnd(rng, 25) == 0, noise_first = rnd(rng, 2);
    /*
     * Not where the host has instructions baremu does not offer: F2/F3 0F 2B
     * are AMD's MOVNTSD/MOVNTSS (SSE4a), 66 0F AE /6 and /7 CLWB and
     * CLFLUSHOPT.
     */
    bool ntss = t->op[t->oplen - 1] == 0x2b && t->op[t->oplen - 2] == 0x0f;
    bool grp15 = t->op[t->oplen - 1] == 0xae && t->op[t->oplen - 2] == 0x0f;
    uint8_t extra = ntss ? 0x66 : grp15 ? noise[1 + rnd(rng, 2)] : noise[rnd(rng, 3)];
    if (noisy && noise_first)
        e.pfx[e.npfx++] = extra;
    if (t->tf & T_PFX1)
        e.pfx[e.npfx++] = t->op[opstart++];
    if (noisy && !noise_first)
        e.pfx[e.npfx++] = extra;
    if (t->tf & T_TOOLONG)
        while (e.npfx < 15)
            e.pfx[e.npfx++] = 0x3e;
    if (size && size != SZ_B && (size == SZ_W) != (code16 && g.code32) && !(t->tf & T_SIMD))
        e.pfx[e.npfx++] = 0x66; /* the other operand size */
    if (size == SZ_Q && !(t->tf & (T_D64 | T_F64)))
        e.rex |= 0x48;
    else if ((t->tf & T_SIMD) && !t->sizes && !g.code32 && rnd(rng, 8) == 0)
        e.rex |= 0x48; /* REX.W, which these forms ignore */
    if (t->cls != CLS_INT)
        dc->fp = true;

    /* operands */
    unsigned reg = 0, rmreg = 0;
    bool mem = false, has_rm = t->form == FORM_MODRM || t->form == FORM_EXT;
    uint8_t op[4];
    unsigned oplen = 0;
    for (unsigned k = opstart; k < t->oplen; k++)
        op[oplen++] = t->op[k];
    if (t->tf & T_CC)
        op[oplen - 1] += (uint8_t)rnd(rng, 16);
    if (has_rm) {
        mem = t->rm == RM_MEM ||
              (t->rm == RM_ANY && (rmk == RM_MEM || (rmk == RM_ANY && rnd(rng, 2))));
        reg = (t->tf & T_SREG)      ? rnd(rng, 6)
              : t->form == FORM_EXT ? t->ext
                                    : pick_operand(rng, t->kreg, byte);
        e.modrm_on = true;
        e.modrm = (uint8_t)((reg & 7) << 3);
        if (t->form == FORM_MODRM)
            e.rex |= (reg >> 3) << 2;
        if (mem) {
            enc_mem(&e, rng, t);
        } else {
            rmreg = pick_operand(rng, t->krm, byte || (t->tf & T_SRC8));
            e.modrm |= 0xc0 | (rmreg & 7);
            e.rex |= rmreg >> 3;
        }
    } else if (t->form == FORM_OPREG) {
        reg = pick_reg(rng, byte);
        op[oplen - 1] += reg & 7;
        e.rex |= reg >> 3;
    }
    if (!g.code32 && (byte || (t->tf & T_SRC8)) && !e.rex && rnd(rng, 5) == 0)
        e.rex = 0x40; /* SPL..DIL instead of AH..BH */
    if (e.rex) {
        e.rex |= 0x40;
        /* with a REX, byte register 4 is SPL: use 5 (BPL) instead */
        bool bytereg = byte && t->form != FORM_EXT;
        if (bytereg && t->form == FORM_MODRM && (e.modrm & 0x38) == 0x20 && !(e.rex & 4))
            e.modrm = (e.modrm & ~0x38) | 0x28;
        if ((byte || (t->tf & T_SRC8)) && !mem && has_rm && (e.modrm & 7) == 4 && !(e.rex & 1))
            e.modrm = (e.modrm & ~7) | 5;
        if (byte && t->form == FORM_OPREG && (op[oplen - 1] & 7) == 4 && !(e.rex & 1))
            op[oplen - 1] += 1;
    }

    /* LOCK: right with a memory operand of a lockable form, #UD otherwise */
    if (((t->tf & T_LOCK) && mem) ? rnd(rng, 3) == 0 : (has_rm && rnd(rng, 60) == 0))
        e.pfx[e.npfx++] = 0xf0;
    if (t->tf & T_STRING) {
        unsigned r = rnd(rng, 10);
        if (r < 3)
            e.pfx[e.npfx++] = 0xf3;
        else if (r < 5)
            e.pfx[e.npfx++] = 0xf2;
        if (r < 5 && (t->def & ZF))
            def = 0; /* REPE/REPNE with a zero count define nothing */
        if ((!g.code32 || code16) && rnd(rng, 6) == 0)
            e.pfx[e.npfx++] = 0x67;
        if (rnd(rng, 8) == 0)
            e.pfx[e.npfx++] = g.code32 ? 0x26 : 0x3e;
    } else if (mem && rnd(rng, 30) == 0) {
        static const uint8_t segs[] = {0x26, 0x36, 0x3e, 0x2e};
        e.pfx[e.npfx++] = segs[rnd(rng, g.code32 ? 4 : 3)];
    }

    /* immediates */
    switch (t->imm) {
    case IMM_8:
        put_le(e.imm, pick_imm(rng, 1), 1), e.nimm = 1;
        break;
    case IMM_U8:
        put_le(e.imm,
               (t->tf & (T_SHIFT | T_DSHIFT)) ? cnt
               : (t->tf & T_SCOUNT)           ? shift_count(rng)
                                              : rnd(rng, 256),
               1),
            e.nimm = 1;
        break;
    case IMM_Z:
        e.nimm = size == SZ_W ? 2 : 4, put_le(e.imm, pick_imm(rng, e.nimm), e.nimm);
        break;
    case IMM_V:
        e.nimm = size, put_le(e.imm, pick_imm(rng, size), size);
        break;
    case IMM_16:
        e.nimm = 2, put_le(e.imm, rnd(rng, 64), 2);
        break;
    case IMM_ENTER:
        e.nimm = 3, put_le(e.imm, rnd(rng, 64) | (rnd(rng, 4) == 0 ? rnd(rng, 3) << 16 : 0), 3);
        break;
    case IMM_REL8:
        e.nimm = 1;
        break;
    case IMM_REL32:
        e.nimm = code16 && g.code32 ? 2 : 4;
        break;
    }

    /* serialise */
    uint8_t b[32];
    unsigned n = 0;
    memcpy(b, e.pfx, e.npfx);
    n = e.npfx;
    if (e.rex && !g.code32)
        b[n++] = e.rex;
    memcpy(b + n, op, oplen);
    n += oplen;
    if (e.modrm_on)
        b[n++] = e.modrm;
    if (e.sib_on)
        b[n++] = e.sib;
    unsigned disp_at = n;
    memcpy(b + n, e.disp, e.ndisp);
    n += e.ndisp;
    unsigned imm_at = n;
    memcpy(b + n, e.imm, e.nimm);
    n += e.nimm;
    if (e.riprel)
        put_le(b + disp_at, e.riprel_target - (DIFF_CODE_VA + dc->code_len + n), 4);
    unsigned at = dc->code_len;
    if (!emit_bytes(dc, b, n, glue))
        return false;
    if (t->tf & T_BRANCH) {
        g.fix[g.nfix++] = (struct branch_fix){at + imm_at, e.nimm, at + n, g.n - 1};
        g.branched = true;
        g.called |= (t->tf & T_CALL) != 0;
    }
    flags_step(def, undef);
    g.undef |= skipped;
    if (t->tf & (T_APPROX4 | T_APPROX1)) {
        dc->approx_lanes = (t->tf & T_APPROX4) ? 4 : 1;
        dc->approx_reg = (uint8_t)reg;
    }
    return true;
}

void gen_finish(struct diff_case *dc, uint64_t *rng)
{
    g.starts[g.n] = dc->code_len; /* the final INT3 */
    for (unsigned k = 0; k < g.nfix; k++) {
        struct branch_fix *f = &g.fix[k];
        unsigned target = f->from + 1 + rnd(rng, g.n - f->from);
        while (target < g.n && g.glued[target])
            target++;
        int64_t rel = (int64_t)g.starts[target] - (int64_t)f->end;
        if (f->size == 1 && rel > 127)
            rel = 0;
        put_le(dc->code + f->at, (uint64_t)rel, f->size);
    }
    dc->undef_flags = g.undef;
    dc->ninsn = g.n;
    dc->start[g.n] = (uint16_t)dc->code_len;
    dc->undef_at[g.n] = g.undef;
}

/* ---- random cases ------------------------------------------------------- */


void diff_gen_case(struct diff_case *dc, uint64_t *rng, bool code32, unsigned index)
{
    gen_init();
    gen_start(dc, rng, code32);
    unsigned want = 1 + rnd(rng, 6);
    for (unsigned k = 0; k < want;) {
        const struct tmpl *t = &gen_tmpls[rnd(rng, gen_ntmpls)];
        if (!gen_usable(t, code32) || ((t->tf & T_RARE) && rnd(rng, 4)) ||
            ((t->tf & T_RET) && g.called))
            continue;
        if (!gen_append(dc, rng, t, 0, RM_ANY))
            break;
        k++;
        if (dc->approx_lanes || (t->tf & T_X87TR)) /* nothing may use an approximation */
            break;
    }
    gen_finish(dc, rng);
    snprintf(dc->name, sizeof dc->name, "%s random #%u",
             dc->code16 ? "16-bit"
             : code32   ? "32-bit"
                        : "64-bit",
             index);
}
