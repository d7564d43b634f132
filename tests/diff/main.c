/*
 * tests/diff/main.c: the differential test driver. Runs the fixed cases and
 * N random ones per mode on the host CPU and in the interpreter, compares
 * registers, RIP, status flags (minus those left undefined), DF, the data
 * pages, and how the run ended (the trap number, error code and CR2), and
 * prints TAP.
 *
 *   difftest [-n N] [-s SEED] [-m 64|32|16|all] [-c CLASS,...] [-r INDEX]
 *
 * -n random cases per mode (default 20000), -s the seed (default 1), -m the
 * modes (16-bit code runs in LDT segments), -c only these instruction
 * classes (int, x87, mmx, sse, sse2, sse3, ssse3, state; default all), -r
 * rerun random case INDEX alone and show it (with the same -c).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/x86.h"
#include "tests/diff/diff.h"
#include "tests/diff/gen.h"

#define BATCH        512
#define RANDOM_CHUNK 1000 /* random cases per TAP line */
#define MAX_SHOWN    4    /* divergent cases shown per TAP line */
#define FIXED_MAX    8192

#define STATUS_FLAGS   0x8d5ull
#define DF_FLAG        0x400ull
#define AC_FLAG        0x40000ull
#define ID_FLAG        0x200000ull
#define COMPARED_FLAGS (STATUS_FLAGS | DF_FLAG | AC_FLAG | ID_FLAG)

static const char *reg_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static const char *mode_name(const struct diff_case *dc)
{
    return dc->code16 ? "16-bit" : dc->code32 ? "32-bit" : "64-bit";
}

/* select the generator's mode: 64, 32 or 16 */
static bool select_mode(unsigned bits)
{
    gen_code16(bits == 16);
    return bits != 64;
}
static unsigned tap_n;

struct report {
    char text[4096];
    size_t len;
};

static void say(struct report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->len < sizeof r->text)
        r->len += (size_t)vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
    va_end(ap);
}

static const char *vec_name(int v)
{
    static const char *names[32] = {
        [0] = "#DE",  [1] = "#DB",  [3] = "#BP",  [6] = "#UD",  [7] = "#NM", [12] = "#SS",
        [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC", [19] = "#XM"};
    if (v == -1)
        return "(no exception: budget ran out)";
    if (v == -2)
        return "(the native child died)";
    return v >= 0 && v < 32 && names[v] ? names[v] : "(vector?)";
}

/* the flags left undefined where the native run stopped */
static uint32_t undef_where(const struct diff_case *dc, const struct diff_result *nat)
{
    uint64_t off = nat->rip - (dc->code16 ? 0 : DIFF_CODE_VA) - (nat->vector == 3); /* INT3 traps */
    if (!dc->ninsn)
        return dc->undef_flags;
    uint32_t all = 0;
    for (unsigned k = 0; k <= dc->ninsn; k++) {
        if (dc->start[k] == off)
            return dc->undef_at[k];
        all |= dc->undef_at[k];
    }
    return all; /* somewhere else: every mask at once */
}

/*
 * The x87/MMX/SSE state. Compared: FCW, FSW, the abridged tag byte, MXCSR,
 * the 80 bits of each ST slot and every XMM register (XMM8-15 too outside
 * 64-bit mode, where nothing may touch them), MXCSR_MASK (the interpreter
 * takes the host's). Not compared (docs/cpu-divergences.md): the reserved
 * bytes, and FOP, FIP and FDP unless an exception is pending (FSW.ES):
 * AMD's FXSAVE and XSAVE store them only then.
 */
/*
 * Two approximations of 1/x or 1/sqrt(x) agree when both are within the
 * SDM's 1.5 * 2^-12 of the true value (Vol 2B RCPPS): within 3 * 2^-12 of
 * each other. Specials (zeros, infinities, NaNs) must be equal, but for a
 * result at the flush-to-zero edge (2^-126), which one may flush and the
 * other not.
 */
static bool approx_agree(uint32_t n, uint32_t e)
{
    if (n == e)
        return true;
    unsigned ne = (n >> 23) & 0xff, ee = (e >> 23) & 0xff;
    if ((n ^ e) >> 31 || ne == 0xff || ee == 0xff)
        return false;
    if (ne == 0 || ee == 0) /* one flushed: the other must be at the edge */
        return (ne == 0 && ee <= 2 && !(n << 1)) || (ee == 0 && ne <= 2 && !(e << 1));
    /* both normal: compare the values as integers scaled by the larger exponent */
    int64_t mn = (int64_t)((n & 0x7fffff) | 0x800000), me = (int64_t)((e & 0x7fffff) | 0x800000);
    int d = (int)ne - (int)ee;
    if (d > 1 || d < -1)
        return false;
    if (d > 0)
        mn <<= 1;
    else if (d < 0)
        me <<= 1;
    int64_t diff = mn > me ? mn - me : me - mn, big = mn > me ? mn : me;
    return diff * 4096 <= big * 3; /* |a - b| <= 3 * 2^-12 * max(|a|, |b|) */
}

/* a last-bit difference of two finite 80-bit values of one sign */
static bool one_ulp(const uint8_t *a, const uint8_t *b)
{
    uint64_t ma, mb;
    uint16_t sa, sb;
    memcpy(&ma, a, 8), memcpy(&sa, a + 8, 2);
    memcpy(&mb, b, 8), memcpy(&sb, b + 8, 2);
    if ((sa ^ sb) & 0x8000 || (sa & 0x7fff) == 0x7fff || (sb & 0x7fff) == 0x7fff)
        return false;
    unsigned __int128 ka = (unsigned __int128)(sa & 0x7fff) << 63 | (ma & ~(1ull << 63));
    unsigned __int128 kb = (unsigned __int128)(sb & 0x7fff) << 63 | (mb & ~(1ull << 63));
    return ka - kb == 1 || kb - ka == 1;
}

static bool compare_fpu(const struct diff_case *dc, const struct fxsave_area *nat,
                        const struct fxsave_area *emu, struct report *r)
{
    bool ok = true;
    struct fxsave_area e2;
    if (dc->fp_approx) {
        /* an x87 transcendental ended the case: the last bit may differ, and C1
         * ("rounded up") says how the host's own approximation was rounded */
        e2 = *emu;
        for (unsigned k = 0; k < 2; k++)
            if (one_ulp(nat->st[k], e2.st[k]))
                memcpy(e2.st[k], nat->st[k], 10);
        e2.fsw = (uint16_t)((e2.fsw & ~0x200) | (nat->fsw & 0x200));
        emu = &e2;
    }
#define FIELD(name, fmt)                                                                           \
    if (nat->name != emu->name) {                                                                  \
        say(r, "  " #name ": native " fmt " interp " fmt "\n", nat->name, emu->name);              \
        ok = false;                                                                                \
    }
    FIELD(fcw, "%#x")
    FIELD(fsw, "%#x")
    FIELD(ftw, "%#x")
    FIELD(mxcsr, "%#x")
    FIELD(mxcsr_mask, "%#x")
    if (nat->fsw & FSW_ES) {
        FIELD(fop, "%#x")
        FIELD(f64.fip, "%#lx")
        FIELD(f64.fdp, "%#lx")
    }
#undef FIELD
    for (unsigned k = 0; k < 8; k++) {
        if (memcmp(nat->st[k], emu->st[k], 10)) {
            uint16_t ns, es;
            uint64_t nm, em;
            memcpy(&nm, nat->st[k], 8), memcpy(&ns, nat->st[k] + 8, 2);
            memcpy(&em, emu->st[k], 8), memcpy(&es, emu->st[k] + 8, 2);
            say(r, "  st%u: native %04x:%016llx interp %04x:%016llx\n", k, ns,
                (unsigned long long)nm, es, (unsigned long long)em);
            ok = false;
        }
    }
    for (unsigned k = 0; k < 16; k++) {
        if (dc->approx_lanes && k == dc->approx_reg) {
            uint32_t n[4], e[4];
            memcpy(n, nat->xmm[k], 16), memcpy(e, emu->xmm[k], 16);
            bool same = true;
            for (unsigned l = 0; l < 4; l++)
                same &= l < dc->approx_lanes ? approx_agree(n[l], e[l]) : n[l] == e[l];
            if (same)
                continue;
        }
        if (memcmp(nat->xmm[k], emu->xmm[k], 16)) {
            uint64_t n[2], e[2];
            memcpy(n, nat->xmm[k], 16), memcpy(e, emu->xmm[k], 16);
            say(r, "  xmm%u: native %016llx:%016llx interp %016llx:%016llx\n", k,
                (unsigned long long)n[1], (unsigned long long)n[0], (unsigned long long)e[1],
                (unsigned long long)e[0]);
            ok = false;
        }
    }
    return ok;
}

static void describe_fpu(const struct fxsave_area *a, struct report *r)
{
    say(r, "  fpu: fcw=%#x fsw=%#x ftw=%#x mxcsr=%#x\n", a->fcw, a->fsw, a->ftw, a->mxcsr);
    for (unsigned k = 0; k < 8; k++) {
        uint16_t se;
        uint64_t m;
        memcpy(&m, a->st[k], 8), memcpy(&se, a->st[k] + 8, 2);
        say(r, "%s st%u=%04x:%016llx%s", k % 4 ? "" : "  ", k, se, (unsigned long long)m,
            k % 4 == 3 ? "\n" : "");
    }
    for (unsigned k = 0; k < 16; k++) {
        uint64_t q[2];
        memcpy(q, a->xmm[k], 16);
        say(r, "%s xmm%u=%016llx:%016llx%s", k % 2 ? "" : "  ", k, (unsigned long long)q[1],
            (unsigned long long)q[0], k % 2 ? "\n" : "");
    }
}

/* compare; on divergence describe it in r and return false */
static bool compare(const struct diff_case *dc, const struct diff_result *nat,
                    const struct diff_result *emu, struct report *r)
{
    bool ok = true;
    uint64_t m = dc->code32 ? 0xffffffffull : ~0ull;
    unsigned nregs = dc->code32 ? 8 : 16;
    if (nat->vector != emu->vector) {
        say(r, "  end: native %s (%d) interp %s (%d)", vec_name(nat->vector), nat->vector,
            vec_name(emu->vector), emu->vector);
        if (nat->vector == 14)
            say(r, ", native cr2 %#llx", (unsigned long long)nat->cr2);
        say(r, "\n");
        ok = false;
    } else if (nat->vector == 13 || nat->vector == 12 || nat->vector == 14) {
        uint64_t em = nat->vector == 14 ? 0x1f : 0xffff;
        /* Linux sets P in the #PF error code of a user access to a kernel address */
        if (nat->vector == 14 && (nat->cr2 >> 47))
            em &= ~1ull;
        if ((nat->error & em) != (emu->error & em)) {
            say(r, "  error code: native %#llx interp %#llx\n", (unsigned long long)nat->error,
                (unsigned long long)emu->error);
            ok = false;
        }
        if (nat->vector == 14 && nat->cr2 != emu->cr2) {
            say(r, "  cr2: native %#llx interp %#llx\n", (unsigned long long)nat->cr2,
                (unsigned long long)emu->cr2);
            ok = false;
        }
    }
    if (nat->vector == -2)
        return false;
    for (unsigned k = 0; k < nregs; k++) {
        if ((nat->regs[k] & m) != (emu->regs[k] & m)) {
            say(r, "  %s: native %#llx interp %#llx\n", reg_names[k],
                (unsigned long long)nat->regs[k], (unsigned long long)emu->regs[k]);
            ok = false;
        }
    }
    if ((nat->rip & m) != (emu->rip & m)) {
        say(r, "  rip: native %#llx interp %#llx\n", (unsigned long long)nat->rip,
            (unsigned long long)emu->rip);
        ok = false;
    }
    uint64_t fm = COMPARED_FLAGS & ~(uint64_t)undef_where(dc, nat);
    if ((nat->rflags ^ emu->rflags) & fm) {
        say(r, "  rflags: native %#llx interp %#llx (compared %#llx)\n",
            (unsigned long long)nat->rflags, (unsigned long long)emu->rflags,
            (unsigned long long)fm);
        ok = false;
    }
    if (nat->done && !compare_fpu(dc, &nat->fpu, &emu->fpu, r))
        ok = false;
    for (unsigned k = 0; k < DIFF_DATA_SIZE; k++) {
        if (nat->data[k] != emu->data[k]) {
            say(r, "  memory at %#llx: native %02x interp %02x\n",
                (unsigned long long)(DIFF_DATA_VA + k), nat->data[k], emu->data[k]);
            ok = false;
            break;
        }
    }
    return ok;
}

static void describe(const struct diff_case *dc, struct report *r)
{
    say(r, "  case %s (%s):", dc->name, mode_name(dc));
    for (unsigned k = 0; k < dc->code_len; k++)
        say(r, " %02x", dc->code[k]);
    say(r, "\n  start:");
    for (unsigned k = 0; k < (dc->code32 ? 8u : 16u); k++)
        say(r, " %s=%#llx", reg_names[k], (unsigned long long)dc->regs[k]);
    say(r, " rflags=%#llx data_seed=%#llx undef=%#x\n", (unsigned long long)dc->rflags,
        (unsigned long long)dc->data_seed, dc->undef_flags);
    if (dc->fp)
        describe_fpu(&dc->fpu, r);
    else
        say(r, "  fpu: fcw=%#x fsw=%#x ftw=%#x mxcsr=%#x\n", dc->fpu.fcw, dc->fpu.fsw, dc->fpu.ftw,
            dc->fpu.mxcsr);
}

static void print_diag(const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("#%.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

/* run cases natively and in the interpreter; ok[k] says whether case k agrees */
static void run_cases(struct diff_case *cases, struct diff_result *nat, unsigned n, bool *ok,
                      struct report *reports)
{
    diff_run_native(cases, nat, n);
    for (unsigned k = 0; k < n; k++) {
        static struct diff_result emu;
        memset(&reports[k], 0, sizeof reports[k]);
        diff_run_interp(&cases[k], &emu);
        ok[k] = compare(&cases[k], &nat[k], &emu, &reports[k]);
        if (!ok[k])
            describe(&cases[k], &reports[k]);
    }
}

static void *shared(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("difftest: mmap");
        exit(2);
    }
    return p;
}

static struct diff_case *cases;
static struct diff_result *results;
static bool ok[BATCH];
static struct report reports[BATCH];

static unsigned run_fixed(unsigned bits)
{
    static struct diff_case all[FIXED_MAX];
    unsigned n = diff_hand_cases(all, FIXED_MAX, select_mode(bits)), failed = 0;
    for (unsigned at = 0; at < n; at += BATCH) {
        unsigned b = n - at < BATCH ? n - at : BATCH;
        memcpy(cases, all + at, b * sizeof *cases);
        run_cases(cases, results, b, ok, reports);
        for (unsigned k = 0; k < b; k++) {
            tap_n++;
            printf("%s %u - %s: %s\n", ok[k] ? "ok" : "not ok", tap_n, mode_name(&cases[k]),
                   cases[k].name);
            if (!ok[k]) {
                failed++;
                print_diag(reports[k].text);
            }
        }
    }
    return failed;
}

/* can this kernel run 32-bit (CONFIG_IA32_EMULATION) or 16-bit user code? one NOP tells */
static bool have_mode(unsigned bits)
{
    memset(&cases[0], 0, sizeof cases[0]);
    diff_fpu_default(&cases[0].fpu);
    cases[0].code32 = bits != 64;
    cases[0].code16 = bits == 16;
    cases[0].code[0] = 0x90;
    cases[0].code_len = 1;
    cases[0].rflags = 0x202;
    cases[0].regs[4] = bits == 16 ? 0x1000 : DIFF_DATA_VA + 0x1000;
    diff_run_native(cases, results, 1);
    return results[0].done && results[0].vector == 3 &&
           results[0].rip == (bits == 16 ? 0 : DIFF_CODE_VA) + 2;
}

/*
 * Which CMPS operand does the host read first? A CMPSB with both operands in
 * the never-mapped guard pages faults on whichever it reads first, and CR2
 * tells (docs/cpu-divergences.md).
 */
static bool host_cmps_dst_first(void)
{
    memset(&cases[0], 0, sizeof cases[0]);
    diff_fpu_default(&cases[0].fpu);
    cases[0].code[0] = 0xa6; /* CMPSB */
    cases[0].code_len = 1;
    cases[0].rflags = 0x202;
    cases[0].regs[4] = DIFF_DATA_VA + 0x1000;
    cases[0].regs[6] = DIFF_GUARD_LO; /* RSI */
    cases[0].regs[7] = DIFF_GUARD_HI; /* RDI */
    diff_run_native(cases, results, 1);
    if (!results[0].done || results[0].vector != 14) {
        fprintf(stderr, "difftest: the CMPS probe did not fault as expected\n");
        exit(2);
    }
    return results[0].cr2 == DIFF_GUARD_HI;
}

/*
 * Does the host's FXSAVE store FIP without a pending x87 exception? FLD1
 * then FXSAVE64 [R15] natively, and FIP's bytes in the data tell
 * (docs/cpu-divergences.md). And what is XCR0 (XGETBV)?
 */
static bool host_fpu_ptrs_es_only(void)
{
    memset(&cases[0], 0, sizeof cases[0]);
    diff_fpu_default(&cases[0].fpu);
    static const uint8_t code[] = {0xd9, 0xe8, 0x49, 0x0f, 0xae, 0x07}; /* fld1; fxsave64 [r15] */
    memcpy(cases[0].code, code, sizeof code);
    cases[0].code_len = sizeof code;
    cases[0].rflags = 0x202;
    cases[0].regs[4] = DIFF_DATA_VA + 0x1800;
    cases[0].regs[15] = DIFF_DATA_VA;
    diff_run_native(cases, results, 1);
    uint64_t fip;
    memcpy(&fip, results[0].data + 8, 8);
    diff_host_mxcsr_mask = results[0].fpu.mxcsr_mask;
    if (!results[0].done || results[0].vector != 3) {
        fprintf(stderr, "difftest: the FXSAVE probe did not run as expected\n");
        exit(2);
    }
    return fip == 0;
}

/*
 * Does the host check FXSAVE's segment before its alignment? FXSAVE64 [RBP]
 * with RBP misaligned and not canonical: #SS says the segment, #GP the
 * alignment (docs/cpu-divergences.md).
 */
static bool host_save_area_seg_first(void)
{
    memset(&cases[0], 0, sizeof cases[0]);
    diff_fpu_default(&cases[0].fpu);
    static const uint8_t code[] = {0x48, 0x0f, 0xae, 0x45, 0x00}; /* fxsave64 [rbp+0] */
    memcpy(cases[0].code, code, sizeof code);
    cases[0].code_len = sizeof code;
    cases[0].rflags = 0x202;
    cases[0].regs[4] = DIFF_DATA_VA + 0x1800;
    cases[0].regs[5] = 0x8000000000000008ull; /* RBP */
    diff_run_native(cases, results, 1);
    if (!results[0].done || (results[0].vector != 12 && results[0].vector != 13)) {
        fprintf(stderr, "difftest: the FXSAVE order probe did not fault as expected\n");
        exit(2);
    }
    return results[0].vector == 12;
}

static uint64_t host_xcr0(void)
{
    memset(&cases[0], 0, sizeof cases[0]);
    diff_fpu_default(&cases[0].fpu);
    static const uint8_t code[] = {0x0f, 0x01, 0xd0}; /* xgetbv with ECX 0 */
    memcpy(cases[0].code, code, sizeof code);
    cases[0].code_len = sizeof code;
    cases[0].rflags = 0x202;
    cases[0].regs[4] = DIFF_DATA_VA + 0x1800;
    diff_run_native(cases, results, 1);
    if (!results[0].done || results[0].vector != 3) {
        fprintf(stderr, "difftest: the XGETBV probe did not run as expected\n");
        exit(2);
    }
    return results[0].regs[0] | results[0].regs[2] << 32;
}

static uint64_t case_seed(uint64_t seed, unsigned bits, unsigned index)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + index * 4 + (bits == 32) + (bits == 16) * 2;
    return diff_rand(&s);
}

static unsigned run_random(uint64_t seed, unsigned count, unsigned bits)
{
    unsigned failed = 0, ends[34] = {0};
    bool code32 = select_mode(bits);
    const char *name = bits == 16 ? "16-bit" : bits == 32 ? "32-bit" : "64-bit";
    for (unsigned chunk = 0; chunk < count; chunk += RANDOM_CHUNK) {
        unsigned end = chunk + RANDOM_CHUNK < count ? chunk + RANDOM_CHUNK : count;
        unsigned bad = 0, shown = 0;
        static struct report keep[MAX_SHOWN];
        for (unsigned at = chunk; at < end; at += BATCH) {
            unsigned b = end - at < BATCH ? end - at : BATCH;
            for (unsigned k = 0; k < b; k++) {
                uint64_t rng = case_seed(seed, bits, at + k);
                diff_gen_case(&cases[k], &rng, code32, at + k);
            }
            run_cases(cases, results, b, ok, reports);
            for (unsigned k = 0; k < b; k++) {
                int v = results[k].vector;
                uint64_t base = cases[k].code16 ? 0 : DIFF_CODE_VA;
                bool at_end = v == 3 && results[k].rip == base + cases[k].code_len + 1;
                ends[at_end ? 32 : v >= 0 && v < 32 ? v : 33]++;
                if (ok[k])
                    continue;
                bad++;
                if (shown < MAX_SHOWN)
                    keep[shown++] = reports[k];
            }
        }
        tap_n++;
        printf("%s %u - %s random cases %u..%u (seed %llu)\n", bad ? "not ok" : "ok", tap_n, name,
               chunk, end - 1, (unsigned long long)seed);
        if (bad)
            printf("# %u of %u diverge; the first %u:\n", bad, end - chunk, shown);
        for (unsigned k = 0; k < shown; k++)
            print_diag(keep[k].text);
        failed += bad;
    }
    static const unsigned shown_vecs[] = {0, 6, 7, 12, 13, 14, 3, 16, 17, 19};
    printf("# %s random: %u ran to the end", name, ends[32]);
    unsigned other = count - ends[32];
    for (unsigned k = 0; k < sizeof shown_vecs / sizeof shown_vecs[0]; k++) {
        printf(", %u %s", ends[shown_vecs[k]], vec_name((int)shown_vecs[k]));
        other -= ends[shown_vecs[k]];
    }
    printf(", %u other\n", other);
    return failed;
}

static bool rerun_one(uint64_t seed, unsigned index, unsigned bits)
{
    uint64_t rng = case_seed(seed, bits, index);
    diff_gen_case(&cases[0], &rng, select_mode(bits), index);
    run_cases(cases, results, 1, ok, reports);
    struct report r = {.len = 0};
    describe(&cases[0], &r);
    print_diag(r.text);
    if (!ok[0])
        print_diag(reports[0].text);
    printf("%s 1 - %s\n1..1\n", ok[0] ? "ok" : "not ok", cases[0].name);
    return ok[0];
}

int main(int argc, char **argv)
{
    unsigned count = 20000, classes = CLS_ALL;
    uint64_t seed = 1;
    unsigned modes[3] = {64, 32, 16}, nmodes = 3;
    long rerun = -1;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:m:r:c:")) != -1) {
        switch (opt) {
        case 'c':
            classes = gen_parse_classes(optarg);
            if (!classes)
                return 2;
            gen_select(classes);
            break;
        case 'n':
            count = (unsigned)strtoul(optarg, NULL, 0);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 0);
            break;
        case 'm':
            if (strcmp(optarg, "all")) {
                modes[0] = (unsigned)strtoul(optarg, NULL, 0);
                nmodes = 1;
            }
            break;
        case 'r':
            rerun = strtol(optarg, NULL, 0);
            break;
        default:
            fprintf(stderr, "usage: difftest [-n N] [-s SEED] [-m 64|32|16|all] [-c CLASS,...] "
                            "[-r INDEX]\n");
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    cases = shared(BATCH * sizeof *cases);
    results = shared(BATCH * sizeof *results);
    diff_host_cmps_dst_first = host_cmps_dst_first();
    printf("# the host reads CMPS's %s operand first\n",
           diff_host_cmps_dst_first ? "ES:rDI" : "DS:rSI");
    diff_host_fpu_ptrs_es_only = host_fpu_ptrs_es_only();
    diff_host_xcr0 = host_xcr0();
    diff_host_save_area_seg_first = host_save_area_seg_first();
    printf("# the host's FXSAVE checks %s first\n",
           diff_host_save_area_seg_first ? "the segment" : "the alignment");
    printf("# the host's FXSAVE stores FOP/FIP/FDP %s; MXCSR_MASK %#x; XCR0 %#llx\n",
           diff_host_fpu_ptrs_es_only ? "only with FSW.ES" : "always", diff_host_mxcsr_mask,
           (unsigned long long)diff_host_xcr0);
    if (rerun >= 0)
        return rerun_one(seed, (unsigned)rerun, modes[0]) ? 0 : 1;
    unsigned failed = 0;
    for (unsigned m = 0; m < nmodes; m++) {
        unsigned bits = modes[m];
        if (bits != 64 && !have_mode(bits)) {
            printf("ok %u - %u-bit mode # SKIP the kernel cannot run %u-bit user code\n", ++tap_n,
                   bits, bits);
            continue;
        }
        failed += run_fixed(bits) + run_random(seed, count, bits);
    }
    printf("1..%u\n", tap_n);
    if (failed)
        printf("# %u divergent cases\n", failed);
    return failed ? 1 : 0;
}
