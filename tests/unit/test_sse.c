/*
 * test_sse.c: the MMX/SSE corners the differential oracle cannot reach,
 * because a Linux process cannot change them: CR0.EM/TS/NE, CR4.OSFXSR,
 * OSXMMEXCPT and OSXSAVE, XSETBV at CPL 0, CPUID, RESET and INIT, and the
 * error bound of RCPPS/RSQRTPS over many inputs (SDM Vol 3A 2.5, 13.1-13.4;
 * Vol 1 13.3; Vol 2 each instruction).
 */
#include "tests/unit/cpu_system_rig.h"

#define DATA 0x40000u /* 64-byte aligned */

/* 32-bit protected mode at CPL 0 with the given CR0 and CR4 bits added */
static struct cpu *boot_sse(const uint8_t *code, size_t len, uint64_t cr0, uint64_t cr4)
{
    struct cpu *c = boot32(code, len);
    c->cr0 |= CR0_MP | cr0;
    c->cr4 |= cr4;
    return c;
}

static uint32_t cpuid(unsigned leaf, unsigned sub, unsigned reg, uint64_t cr4)
{
    const uint8_t code[] = {0x0f, 0xa2, 0xf4}; /* cpuid; hlt */
    struct cpu *c = boot_sse(code, sizeof code, 0, cr4);
    c->gpr[REG_RAX] = leaf;
    c->gpr[REG_RCX] = sub;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    return (uint32_t)c->gpr[reg];
}

Test(sse, cpuid_advertises_mmx_to_ssse3_and_xsave)
{
    uint32_t d = cpuid(1, 0, REG_RDX, 0), cx = cpuid(1, 0, REG_RCX, 0);
    unsigned want_d = CPUID_1_EDX_MMX | CPUID_1_EDX_FXSR | CPUID_1_EDX_SSE | CPUID_1_EDX_SSE2;
    unsigned want_c = CPUID_1_ECX_SSE3 | CPUID_1_ECX_SSSE3 | CPUID_1_ECX_XSAVE;
    cr_assert_eq(d & want_d, want_d);
    cr_assert_eq(cx & want_c, want_c);
    cr_assert_eq(cx & (1u << 19 | 1u << 20 | 1u << 28), 0, "no SSE4.1, SSE4.2, AVX");
    cr_assert_eq(cx & (1u << 3), 0, "no MONITOR/MWAIT");
    cr_assert_eq(cx & CPUID_1_ECX_OSXSAVE, 0, "OSXSAVE follows CR4");
    cr_assert(cpuid(1, 0, REG_RCX, CR4_OSXSAVE) & CPUID_1_ECX_OSXSAVE);
    cr_assert_eq(cpuid(7, 0, REG_RBX, 0) & (1u << 5), 0, "no AVX2");
}

Test(sse, cpuid_leaf_0xd)
{
    cr_assert_eq(cpuid(0xd, 0, REG_RAX, 0), XCR0_X87 | XCR0_SSE);
    cr_assert_eq(cpuid(0xd, 0, REG_RDX, 0), 0);
    cr_assert_eq(cpuid(0xd, 0, REG_RBX, 0), 576, "legacy region and header");
    cr_assert_eq(cpuid(0xd, 0, REG_RCX, 0), 576);
    cr_assert_eq(cpuid(0xd, 1, REG_RAX, 0), CPUID_D1_EAX_XSAVEOPT, "XSAVEOPT, no XSAVEC/S");
    cr_assert_eq(cpuid(0xd, 2, REG_RAX, 0), 0, "no AVX state");
}

Test(sse, reset_and_init_state)
{
    struct cpu *c = boot_sse((const uint8_t[]){0xf4}, 1, 0, 0);
    cpu_init(c, &m.bus, 0);
    cr_assert_eq(c->mxcsr, MXCSR_DEFAULT);
    cr_assert_eq(c->xcr0, XCR0_X87);
    c->mxcsr = 0x7f80;
    c->xcr0 = XCR0_X87 | XCR0_SSE;
    c->xmm[3].q[1] = 0x1234;
    cpu_init_reset(c);
    cr_assert_eq(c->mxcsr, 0x7f80, "INIT keeps MXCSR");
    cr_assert_eq(c->xcr0, XCR0_X87 | XCR0_SSE, "and XCR0");
    cr_assert_eq(c->xmm[3].q[1], 0x1234, "and the XMM registers");
}

/* addps xmm0, xmm1; hlt, and paddb mm0, mm1; hlt */
static const uint8_t addps[] = {0x0f, 0x58, 0xc1, 0xf4};
static const uint8_t paddb[] = {0x0f, 0xfc, 0xc1, 0xf4};

Test(sse, sse_without_osfxsr_is_ud)
{
    struct cpu *c = boot_sse(addps, sizeof addps, 0, 0);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_UD);
    c = boot_sse(paddb, sizeof paddb, 0, 0);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + 4, "MMX does not need OSFXSR");
}

Test(sse, em_is_ud_for_sse_and_mmx_and_nm_for_fxsave)
{
    struct cpu *c = boot_sse(addps, sizeof addps, CR0_EM, CR4_OSFXSR);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_UD);
    c = boot_sse(paddb, sizeof paddb, CR0_EM, CR4_OSFXSR);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_UD);
    const uint8_t fxsave[] = {0x0f, 0xae, 0x05, 0x00, 0x00, 0x04, 0x00, 0xf4}; /* [DATA] */
    c = boot_sse(fxsave, sizeof fxsave, CR0_EM, CR4_OSFXSR);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_NM);
}

Test(sse, ts_is_nm_before_anything_changes)
{
    const uint8_t *const codes[] = {
        addps,
        paddb,
        (const uint8_t[]){0x0f, 0xae, 0x05, 0x00, 0x00, 0x04, 0x00, 0xf4}, /* fxsave */
        (const uint8_t[]){0x0f, 0xae, 0x25, 0x00, 0x00, 0x04, 0x00, 0xf4}, /* xsave */
        (const uint8_t[]){0x0f, 0xae, 0x15, 0x00, 0x00, 0x04, 0x00, 0xf4}, /* ldmxcsr */
        (const uint8_t[]){0x0f, 0x77, 0xf4},                               /* emms */
    };
    for (unsigned k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        struct cpu *c = boot_sse(codes[k], 8, CR0_TS, CR4_OSFXSR | CR4_OSXSAVE);
        c->x87.fsw = 3u << FSW_TOP_SHIFT;
        c->xmm[0].d[0] = 0x3f800000;
        cr_assert_eq(run(c), CPU_EXIT_HLT);
        assert_in_handler(c, VEC_NM);
        cr_assert_eq(c->xmm[0].d[0], 0x3f800000, "case %u: XMM0 untouched", k);
        cr_assert_eq(c->x87.fsw, 3u << FSW_TOP_SHIFT, "case %u: no MMX transition", k);
        cr_assert_eq(get32(DATA), 0, "case %u: nothing stored", k);
    }
}

Test(sse, mmx_with_a_pending_x87_exception_is_mf)
{
    struct cpu *c = boot_sse(paddb, sizeof paddb, CR0_NE, CR4_OSFXSR);
    c->x87.fcw = FCW_DEFAULT & ~FSW_ZE; /* ZE unmasked */
    c->x87.fsw = FSW_ZE | FSW_ES | FSW_B;
    c->x87.ftw = 0;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_MF);
    cr_assert_eq(c->x87.ftw, 0, "no MMX transition before #MF");
}

/* divps xmm0, xmm1 by zero with ZE unmasked: #XM with OSXMMEXCPT, #UD without */
Test(sse, unmasked_exception_is_xm_or_ud)
{
    const uint8_t divps[] = {0x0f, 0x5e, 0xc1, 0xf4};
    for (unsigned xmm = 0; xmm < 2; xmm++) {
        struct cpu *c = boot_sse(divps, sizeof divps, 0, CR4_OSFXSR | (xmm ? CR4_OSXMMEXCPT : 0));
        c->mxcsr = MXCSR_DEFAULT & ~(MXCSR_ZE << MXCSR_MASK_SHIFT);
        c->xmm[0] = (union xmm){.d = {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000}};
        c->xmm[1] = (union xmm){.d = {0x3f800000, 0, 0x3f800000, 0x3f800000}};
        cr_assert_eq(run(c), CPU_EXIT_HLT);
        assert_in_handler(c, xmm ? VEC_XM : VEC_UD);
        cr_assert_eq(c->mxcsr & MXCSR_FLAGS, MXCSR_ZE, "ZE flagged");
        cr_assert_eq(c->xmm[0].d[0], 0x3f800000, "the destination is not written");
    }
}

/* xor ecx, ecx; mov eax, 3; xor edx, edx; xsetbv; xgetbv; hlt */
static const uint8_t setbv[] = {0x31, 0xc9, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x31,
                                0xd2, 0x0f, 0x01, 0xd1, 0x0f, 0x01, 0xd0, 0xf4};

Test(sse, xsetbv_and_xgetbv)
{
    struct cpu *c = boot_sse(setbv, sizeof setbv, 0, CR4_OSFXSR);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_UD); /* no CR4.OSXSAVE */
    c = boot_sse(setbv, sizeof setbv, 0, CR4_OSFXSR | CR4_OSXSAVE);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + sizeof setbv);
    cr_assert_eq(c->xcr0, XCR0_X87 | XCR0_SSE);
    cr_assert_eq(c->gpr[REG_RAX], 3);
    static const uint32_t bad[] = {0, 2, 4, 7, 0x80000003u};
    for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint8_t code[sizeof setbv];
        memcpy(code, setbv, sizeof code);
        memcpy(code + 3, &bad[k], 4);
        c = boot_sse(code, sizeof code, 0, CR4_OSFXSR | CR4_OSXSAVE);
        cr_assert_eq(run(c), CPU_EXIT_HLT);
        assert_in_handler(c, VEC_GP);
        cr_assert_eq(c->xcr0, XCR0_X87, "XCR0 %#x refused", bad[k]);
    }
    /* ECX 1 */
    const uint8_t ecx1[] = {0xb9, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xd0, 0xf4};
    c = boot_sse(ecx1, sizeof ecx1, 0, CR4_OSFXSR | CR4_OSXSAVE);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
}

/*
 * XSAVE then XRSTOR in 32-bit protected mode (XMM0-7 only): with RFBM 3 the
 * state comes back, XSTATE_BV says what is in use, and the area's bytes
 * 416..511 are not written. Then XRSTOR with XSTATE_BV 0 initialises both.
 */
Test(sse, xsave_xrstor_round_trip_and_init)
{
    const uint8_t code[] = {0x31, 0xd2, 0xb8, 0x03, 0x00, 0x00, 0x00, /* edx:eax = 3 */
                            0x0f, 0xae, 0x25, 0x00, 0x00, 0x04, 0x00, /* xsave [DATA] */
                            0x66, 0x0f, 0xef, 0xc0,                   /* pxor xmm0, xmm0 */
                            0x0f, 0xae, 0x2d, 0x00, 0x00, 0x04, 0x00, /* xrstor [DATA] */
                            0xf4};
    struct cpu *c = boot_sse(code, sizeof code, 0, CR4_OSFXSR | CR4_OSXSAVE);
    c->xcr0 = XCR0_X87 | XCR0_SSE;
    c->xmm[0].q[0] = 0x1122334455667788ull;
    c->mxcsr = 0x9f80;
    put32(DATA + 420, 0xaaaaaaaa);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + sizeof code);
    cr_assert_eq(c->xmm[0].q[0], 0x1122334455667788ull, "XMM0 restored");
    cr_assert_eq(get64(DATA + 512), XCR0_X87 | XCR0_SSE, "XSTATE_BV");
    cr_assert_eq(get32(DATA + 24), 0x9f80, "MXCSR saved");
    cr_assert_eq(get32(DATA + 420), 0xaaaaaaaa, "bytes 416.. untouched");

    const uint8_t init[] = {0x31, 0xd2, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x0f,
                            0xae, 0x2d, 0x00, 0x00, 0x04, 0x00, 0xf4};
    c = boot_sse(init, sizeof init, 0, CR4_OSFXSR | CR4_OSXSAVE);
    c->xcr0 = XCR0_X87 | XCR0_SSE;
    c->xmm[5].q[1] = 5;
    c->x87.fcw = 0x40;
    put32(DATA + 24, 0x1f80);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + sizeof init);
    cr_assert_eq(c->xmm[5].q[1], 0, "SSE initialised");
    cr_assert_eq(c->x87.fcw, FCW_DEFAULT, "x87 initialised");

    c = boot_sse(init, sizeof init, 0, CR4_OSFXSR | CR4_OSXSAVE);
    put32(DATA + 24, 0x1f80);
    put64(DATA + 520, 1); /* XCOMP_BV: a compacted area, which there is no XSAVEC to make */
    c->xcr0 = XCR0_X87 | XCR0_SSE;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
}

/* RCPPS and RSQRTPS stay within 1.5 * 2^-12 of the true value over many inputs */
Test(sse, rcp_and_rsqrt_are_within_the_bound)
{
    const uint8_t code[] = {0x0f, 0x53, 0xc8, 0x0f,
                            0x52, 0xd0, 0xf4}; /* rcpps xmm1, xmm0;
                                                  rsqrtps xmm2, xmm0 */
    uint32_t x = 0x00800000;                   /* the smallest normal, upwards */
    for (unsigned n = 0; n < 4000; n++) {
        struct cpu *c = boot_sse(code, sizeof code, 0, CR4_OSFXSR);
        uint32_t v[4];
        for (unsigned k = 0; k < 4; k++, x += 0x7e3f1d)
            v[k] = x & 0x7effffff;
        memcpy(c->xmm[0].d, v, sizeof v);
        cr_assert_eq(run(c), CPU_EXIT_HLT);
        for (unsigned k = 0; k < 4; k++) {
            float f, r, s;
            memcpy(&f, &v[k], 4);
            memcpy(&r, &c->xmm[1].d[k], 4);
            memcpy(&s, &c->xmm[2].d[k], 4);
            if (!(v[k] >> 23)) { /* a denormal is taken as zero */
                cr_assert(r > 0x1p127 && s > 0x1p127, "1/%a is infinite", f);
                continue;
            }
            double rt = 1.0 / f, rerr = (r - rt) / rt;
            if (rt >= 0x1p-126)
                cr_assert(rerr <= 1.5 * 0x1p-12 && rerr >= -1.5 * 0x1p-12, "rcp(%a) = %a", f,
                          (double)r);
            else
                cr_assert_eq(r, 0.0f, "rcp(%a) flushes to zero", f);
            /* s = (1 + d) / sqrt(f): s * s * f - 1 = 2d + d^2 */
            double serr = (double)s * s * f - 1;
            cr_assert(serr <= 3 * 0x1p-12 && serr >= -3 * 0x1p-12, "rsqrt(%a) = %a", f, (double)s);
        }
    }
}
