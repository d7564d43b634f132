/*
 * sse_lazy: MMX and SSE from ring 3 under a tiny kernel that switches the
 * FPU state lazily, as kernels do (SDM Vol 3A 13.4, 13.5): CR0.TS set at
 * each task switch, the #NM handler does CLTS, FXSAVEs the previous
 * owner's x87/MMX/SSE state and FXRSTORs the new one's. Two tasks run their
 * steps in turn, each keeping values in XMM and MMX registers and its own
 * MXCSR rounding mode across the other's steps; results and the number of
 * #NM must come out exactly.
 *
 * Then: #XM for an unmasked SIMD exception with CR4.OSXMMEXCPT (and #UD
 * without), MXCSR flagging it; the 16-byte alignment #GP(0) of MOVAPS and
 * FXSAVE, MOVUPS being fine; EMMS and MMX's effect on the tags; an XSAVE/
 * XRSTOR round trip with XCR0 = x87|SSE and XRSTOR of the init state, where
 * CPUID offers XSAVE. SSE code is inline assembly: guest C is built with
 * -mgeneral-regs-only.
 */
#include "rt/cpu.h"
#include "rt/guest.h"

#define VEC_UD         6
#define VEC_NM         7
#define VEC_GP         13
#define VEC_XM         19
#define CR0_MP         (1u << 1)
#define CR0_EM         (1u << 2)
#define CR0_TS         (1u << 3)
#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE    (1u << 18)
#define MXCSR_ZE       0x0004
#define MXCSR_ZM       0x0200
#define MXCSR_RZ       0x6000 /* round toward zero */

struct task {
    uint8_t area[512] __attribute__((aligned(16))); /* FXSAVE image */
    bool used;
};

static struct task tasks[2], *current, *owner;
static volatile uint32_t nm_count, xm_count, ud_count, gp_count, trap_eip, trap_err;

static uint32_t cr0_read(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
static void cr0_write(uint32_t v)
{
    __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}
static uint32_t cr4_read(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
static void cr4_write(uint32_t v)
{
    __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static void switch_to(struct task *t)
{
    current = t;
    cr0_write(cr0_read() | CR0_TS);
}

/* #NM: CLTS, then give the FPU to the current task (FNINIT and MXCSR 1F80H on first use) */
static void nm_handler(struct trap_frame *f)
{
    (void)f;
    static const uint32_t mxcsr_default = 0x1f80;
    nm_count++;
    __asm__ volatile("clts");
    if (owner == current)
        return;
    if (owner) {
        __asm__ volatile("fxsave %0" : "=m"(owner->area));
        owner->used = true;
    }
    if (current->used)
        __asm__ volatile("fxrstor %0" ::"m"(current->area));
    else
        __asm__ volatile(
            "fninit; ldmxcsr %0; xorps %%xmm0, %%xmm0; xorps %%xmm1, %%xmm1" ::"m"(mxcsr_default));
    owner = current;
}

/* ---- the two tasks' steps, each run in ring 3 ------------------------------ */

static const float a_in[4] __attribute__((aligned(16))) = {1.5f, -2.25f, 3.0f, 0.125f};
static float a_out[4] __attribute__((aligned(16)));
static int32_t a_cvt, b_cvt;
static const double b_in[2] __attribute__((aligned(16))) = {2.0, 9.0};
static double b_out[2] __attribute__((aligned(16)));
static const uint8_t b_shuf[16]
    __attribute__((aligned(16))) = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
static uint8_t b_bytes[16] __attribute__((aligned(16)));
static uint64_t a_mm, b_mm;
static const float two_point_seven = 2.7f;
static const uint32_t mxcsr_rz = 0x1f80 | MXCSR_RZ;

/* A: XMM0 = a_in * 2 + a_in, MM0 = 0x0001000200030004 + itself, rounding toward zero */
static int a1(void *p)
{
    (void)p;
    static const uint64_t w = 0x0001000200030004ull;
    __asm__ volatile(
        "movaps %0, %%xmm0; addps %%xmm0, %%xmm0; movq %1, %%mm0; ldmxcsr %2" ::"m"(a_in), "m"(w),
        "m"(mxcsr_rz));
    return 0;
}
static int a2(void *p)
{
    (void)p;
    __asm__ volatile("addps %1, %%xmm0; paddw %%mm0, %%mm0; cvtss2si %2, %0"
                     : "=r"(a_cvt)
                     : "m"(a_in), "m"(two_point_seven));
    return 0;
}
static int a3(void *p)
{
    (void)p;
    __asm__ volatile("movups %%xmm0, %0; movq %%mm0, %1; emms" : "=m"(a_out), "=m"(a_mm));
    return 0;
}

/* B: XMM1 = sqrt(b_in), XMM0 byte-reversed (PSHUFB), MM0 = 0x7fff words saturating, RN */
static int b1(void *p)
{
    (void)p;
    static const uint8_t seq[16]
        __attribute__((aligned(16))) = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint64_t w = 0x7fff7fff7fff7fffull;
    __asm__ volatile("sqrtpd %0, %%xmm1; movdqa %1, %%xmm0; movq %2, %%mm0" ::"m"(b_in), "m"(seq),
                     "m"(w));
    return 0;
}
static int b2(void *p)
{
    (void)p;
    __asm__ volatile("pshufb %1, %%xmm0; paddsw %%mm0, %%mm0; cvtss2si %2, %0"
                     : "=r"(b_cvt)
                     : "m"(b_shuf), "m"(two_point_seven));
    return 0;
}
static int b3(void *p)
{
    (void)p;
    __asm__ volatile("movupd %%xmm1, %0; movdqu %%xmm0, %1; movq %%mm0, %2; emms"
                     : "=m"(b_out), "=m"(b_bytes), "=m"(b_mm));
    return 0;
}

static bool same(const void *a, const void *b, unsigned n)
{
    return memcmp(a, b, n) == 0;
}

static void lazy_switching(void)
{
    int (*const steps[6])(void *) = {a1, b1, a2, b2, a3, b3};
    nm_count = 0;
    owner = NULL;
    for (unsigned k = 0; k < 6; k++) {
        switch_to(&tasks[k & 1]);
        ring3_call(steps[k], NULL);
    }
    static const float a_want[4] = {4.5f, -6.75f, 9.0f, 0.375f};
    static const double b_want[2] = {1.4142135623730951, 3.0};
    static const uint8_t rev[16] = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    tap_ok(same(a_out, a_want, sizeof a_want), "task A: ADDPS twice in XMM0 across B's steps");
    tap_ok(a_mm == 0x0002000400060008ull, "task A: PADDW in MM0 across B's steps (%08x%08x)",
           (uint32_t)(a_mm >> 32), (uint32_t)a_mm);
    tap_ok(a_cvt == 2, "task A: its MXCSR (round toward zero) survived: 2.7 -> %d", a_cvt);
    tap_ok(same(b_out, b_want, sizeof b_want), "task B: SQRTPD in XMM1 bit for bit");
    tap_ok(same(b_bytes, rev, sizeof rev), "task B: PSHUFB reversed XMM0 across A's steps");
    tap_ok(b_mm == 0x7fff7fff7fff7fffull, "task B: PADDSW saturated in MM0");
    tap_ok(b_cvt == 3, "task B: round to nearest in its MXCSR: 2.7 -> %d", b_cvt);
    tap_ok(nm_count == 6, "one NM exception per step after a switch, none within one (%u)",
           nm_count);
}

/* ---- #XM and #UD for an unmasked SIMD exception --------------------------- */

static uint32_t divss_at;
static uint32_t xm_result; /* the bits of a float */

/* the handler masks the exception, so DIVSS runs again and delivers infinity */
static void xm_handler(struct trap_frame *f)
{
    static const uint32_t masked = 0x1f80;
    uint32_t mx;
    if (f->vector == VEC_XM)
        xm_count++;
    else
        ud_count++;
    trap_eip = f->eip;
    __asm__ volatile("stmxcsr %0; ldmxcsr %1" : "=m"(mx) : "m"(masked));
    trap_err = mx;
}

static int divide_by_zero(void *p)
{
    (void)p;
    static const uint32_t unmask_ze = 0x1f80 & ~MXCSR_ZM;
    static const float one = 1.0f, zero = 0.0f;
    __asm__ volatile("ldmxcsr %2; movss %3, %%xmm2\n"
                     "1: divss %4, %%xmm2\n"
                     "movl $1b, %0; movss %%xmm2, %1"
                     : "=m"(divss_at), "=m"(xm_result)
                     : "m"(unmask_ze), "m"(one), "m"(zero));
    return 0;
}

static void simd_exceptions(void)
{
    if (arg_present("no-xm")) {
        for (unsigned k = 0; k < 4; k++)
            tap_skip("this engine does not raise XM (append no-xm)", "XM check %u", k);
        return;
    }
    switch_to(&tasks[0]);
    xm_count = ud_count = 0;
    ring3_call(divide_by_zero, NULL);
    tap_ok(xm_count == 1 && trap_eip == divss_at,
           "an unmasked zero divide is XM at the DIVSS with CR4.OSXMMEXCPT (%u, %08x)", xm_count,
           trap_eip);
    tap_ok((trap_err & MXCSR_ZE) && xm_result == 0x7f800000, "MXCSR had ZE; masked, DIVSS gave inf");
    cr4_write(cr4_read() & ~CR4_OSXMMEXCPT);
    ring3_call(divide_by_zero, NULL);
    tap_ok(ud_count == 1 && trap_eip == divss_at, "without CR4.OSXMMEXCPT it is UD (%u)", ud_count);
    cr4_write(cr4_read() | CR4_OSXMMEXCPT);
    tap_ok(xm_count == 1, "and no XM then");
}

/* ---- alignment, EMMS ------------------------------------------------------- */

static uint8_t buf[64] __attribute__((aligned(16)));
static uint32_t fault_at;

static void gp_handler(struct trap_frame *f)
{
    gp_count++;
    trap_err = f->error;
    trap_eip = f->eip;
    f->eip = fault_at; /* skip to after the faulting instruction */
}

static void alignment(void)
{
    gp_count = 0;
    uint8_t *odd = buf + 4;
    __asm__ volatile("movl $1f, %0; movaps (%1), %%xmm3; 1:" : "=m"(fault_at) : "r"(odd));
    tap_ok(gp_count == 1 && trap_err == 0, "MOVAPS from a misaligned address is GP(0) (%u)",
           gp_count);
    __asm__ volatile("movups (%0), %%xmm3; movdqu %%xmm3, (%0)" ::"r"(odd) : "memory");
    tap_ok(gp_count == 1, "MOVUPS and MOVDQU there are fine");
    __asm__ volatile("movl $1f, %0; paddb (%1), %%xmm3; 1:" : "=m"(fault_at) : "r"(odd));
    tap_ok(gp_count == 2, "PADDB xmm, m128 needs the alignment too");
    static uint8_t area[528] __attribute__((aligned(16)));
    __asm__ volatile("movl $1f, %0; fxsave (%1); 1:" : "=m"(fault_at) : "r"(area + 8) : "memory");
    tap_ok(gp_count == 3, "FXSAVE to a misaligned area is GP(0)");
}

/* FNSTENV's tag word: 0 (all valid) after an MMX instruction, FFFF (all empty) after EMMS */
static void emms_tags(void)
{
    uint16_t env_mmx[14], env_emms[14];
    __asm__ volatile("fninit; pxor %%mm1, %%mm1; fnstenv %0; emms; fnstenv %1"
                     : "=m"(env_mmx), "=m"(env_emms));
    bool none_empty = true;
    for (unsigned k = 0; k < 8; k++)
        none_empty &= ((env_mmx[4] >> (2 * k)) & 3) != 3;
    tap_ok(none_empty && (env_mmx[2] & 0x3800) == 0,
           "after PXOR mm: no register empty (FNSTENV tags by contents), TOP 0 (%04x)",
           env_mmx[4]);
    tap_ok(env_emms[4] == 0xffff, "after EMMS: every tag empty (%04x)", env_emms[4]);
}

/* ---- XSAVE ------------------------------------------------------------------- */

static uint8_t xarea[576] __attribute__((aligned(64)));

static void xsave_round_trip(void)
{
    if (!(cpuid(1, 0).c & (1u << 26))) {
        for (unsigned k = 0; k < 4; k++)
            tap_skip("no XSAVE in CPUID", "XSAVE check %u", k);
        return;
    }
    cr4_write(cr4_read() | CR4_OSXSAVE);
    uint32_t lo, hi;
    __asm__ volatile("xsetbv; xgetbv" : "=a"(lo), "=d"(hi) : "a"(3), "d"(0), "c"(0));
    tap_ok(lo == 3 && hi == 0, "XSETBV x87|SSE, XGETBV reads it back (%x)", lo);
    tap_ok(cpuid(1, 0).c & (1u << 27), "CPUID.1:ECX.OSXSAVE follows CR4");
    static const uint64_t v[2] __attribute__((aligned(16))) = {0x0123456789abcdefull, 42};
    static uint64_t back[2] __attribute__((aligned(16)));
    memset(xarea, 0, sizeof xarea);
    __asm__ volatile("movdqa %2, %%xmm4; xsave %0; pxor %%xmm4, %%xmm4; xrstor %0; movdqa "
                     "%%xmm4, %1"
                     : "+m"(xarea), "=m"(back)
                     : "m"(v), "a"(3), "d"(0)
                     : "memory");
    uint64_t bv;
    memcpy(&bv, xarea + 512, 8);
    tap_ok(back[0] == v[0] && back[1] == v[1] && (bv & 2),
           "XSAVE then XRSTOR brings XMM4 back; XSTATE_BV has SSE (%x)", (uint32_t)bv);
    memset(xarea + 512, 0, 64); /* XSTATE_BV 0: the initial state */
    __asm__ volatile("xrstor %1; movdqa %%xmm4, %0"
                     : "=m"(back)
                     : "m"(xarea), "a"(3), "d"(0)
                     : "memory");
    tap_ok(back[0] == 0 && back[1] == 0, "XRSTOR of the init state clears XMM4");
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    tap_plan(22);
    struct cpuid_regs id = cpuid(1, 0);
    if (!(id.d & (1u << 26)) || !(id.c & (1u << 9)))
        tap_bail("no SSE2 or SSSE3 in CPUID");
    idt_set_handler(VEC_NM, nm_handler, 0);
    idt_set_handler(VEC_XM, xm_handler, 0);
    idt_set_handler(VEC_UD, xm_handler, 0);
    idt_set_handler(VEC_GP, gp_handler, 0);
    cr0_write((cr0_read() & ~CR0_EM) | CR0_MP);
    cr4_write(cr4_read() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    lazy_switching();
    simd_exceptions();
    idt_clear_handler(VEC_UD);
    idt_clear_handler(VEC_XM);
    __asm__ volatile("clts");
    alignment();
    idt_clear_handler(VEC_GP);
    emms_tags();
    xsave_round_trip();
    return 0;
}
