/*
 * tests/diff/native.c: run cases on the host CPU, in a forked child.
 *
 * No assembly: a case is entered and left through signals. raise(SIGUSR1)
 * lands in enter_handler, which writes the case's registers, RIP and RFLAGS
 * (and CS 0x23 for 32-bit code) into the ucontext; sigreturn then loads them
 * and jumps into the code page. The sequence ends at an INT3 (or faults
 * first), and exit_handler copies the registers, the trap number, the error
 * code and CR2 out of the ucontext and siglongjmps back to the loop.
 *
 * The x87/MMX/SSE state goes the same way: the signal frame's FPU area
 * (uc_mcontext.fpregs, an XSAVE image on XSAVE hosts) is what sigreturn
 * loads and what the exit handler reads (see fpu_enter, fpu_exit).
 *
 * The child may die on a case that corrupts it; the parent then records
 * that case as lost and starts a new child from the next one.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <asm/ldt.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu/x86.h"
#include "tests/diff/diff.h"

#define ALT_STACK_SIZE  (64 * 1024)
#define CHILD_TIMEOUT_S 10
#define ID_FLAG         0x200000ull
#define USER_DS         0x2b /* Linux __USER_DS */
#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u /* <asm/sigcontext.h>: the frame is an XSAVE image */
#endif
#ifndef UC_STRICT_RESTORE_SS
#define UC_STRICT_RESTORE_SS 0x4 /* <asm/ucontext.h> */
#endif

/* the ucontext slot of each register, in encoding order */
static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                REG_R12, REG_R13, REG_R14, REG_R15};

static sigjmp_buf back;
static const struct diff_case *cur;
static struct diff_result *res;

/*
 * Linux's signal frame holds the FPU state as an XSAVE image when the host
 * has XSAVE: the FXSAVE-format legacy region, then the XSAVE header, and
 * bytes 464..511 (fpx_sw_bytes, which the FXSAVE format leaves to software)
 * say so with FP_XSTATE_MAGIC1. sigreturn checks those bytes, so they stay.
 */
static uint64_t *xstate_bv(struct fxsave_area *fx)
{
    uint32_t magic;
    memcpy(&magic, fx->avail, sizeof magic);
    return magic == FP_XSTATE_MAGIC1 ? (uint64_t *)((uint8_t *)fx + XSAVE_HEADER_OFFSET) : NULL;
}

/*
 * Put the case's x87/MMX/SSE state into the frame. sigreturn restores it
 * with XRSTOR, which loads a component only if its XSTATE_BV bit is set
 * (SDM Vol 1 13.8.1) and otherwise initialises it: so set x87 and SSE.
 * MXCSR_MASK is the host's and stays; the case's MXCSR is valid, or
 * sigreturn would refuse the frame.
 */
static void fpu_enter(ucontext_t *uc, const struct fxsave_area *img)
{
    struct fxsave_area *fx = (struct fxsave_area *)uc->uc_mcontext.fpregs;
    uint32_t mask = fx->mxcsr_mask;
    memcpy(fx, img, offsetof(struct fxsave_area, rsvd));
    fx->mxcsr_mask = mask;
    uint64_t *bv = xstate_bv(fx);
    if (bv)
        *bv |= XCR0_X87 | XCR0_SSE;
}

/*
 * The final state. XSAVE does not write a component that is in its initial
 * configuration (its XSTATE_BV bit is then clear, SDM Vol 1 13.7), so the
 * frame holds stale bytes there: they are the initial values. (Linux sets
 * the x87 and SSE bits in every frame it writes, save_xstate_epilog, and on
 * the AMD hosts so far the region was always written; this is for a kernel
 * that leaves the bits as XSAVE wrote them.)
 */
static void fpu_exit(ucontext_t *uc, struct fxsave_area *out)
{
    struct fxsave_area *fx = (struct fxsave_area *)uc->uc_mcontext.fpregs;
    memcpy(out, fx, sizeof *out);
    uint64_t *bv = xstate_bv(fx);
    if (bv && !(*bv & XCR0_X87)) {
        out->fcw = FCW_DEFAULT;
        out->fsw = out->fop = 0;
        out->ftw = 0;
        out->f64.fip = out->f64.fdp = 0;
        memset(out->st, 0, sizeof out->st);
    }
    if (bv && !(*bv & XCR0_SSE))
        memset(out->xmm, 0, sizeof out->xmm);
}

static void enter_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    for (int k = 0; k < 16; k++)
        g[greg_of[k]] = (greg_t)cur->regs[k];
    g[REG_RIP] = (greg_t)(cur->code16 ? 0 : DIFF_CODE_VA);
    g[REG_EFL] = (greg_t)cur->rflags;
    struct selectors {
        uint16_t cs, gs, fs, ss;
    } *sel = (struct selectors *)&g[REG_CSGSFS];
    if (cur->code16) {
        sel->cs = DIFF_CODE16_SEL;
        sel->ss = DIFF_DATA16_SEL;
        uc->uc_flags |= UC_STRICT_RESTORE_SS;
    } else if (cur->code32) {
        sel->cs = 0x23; /* Linux's 32-bit user CS */
    }
    fpu_enter(uc, &cur->fpu);
}

static void exit_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    for (int k = 0; k < 16; k++)
        res->regs[k] = (uint64_t)g[greg_of[k]];
    res->rip = (uint64_t)g[REG_RIP];
    res->rflags = (uint64_t)g[REG_EFL];
    res->vector = (int)g[REG_TRAPNO];
    res->error = (uint64_t)g[REG_ERR];
    res->cr2 = (uint64_t)g[REG_CR2];
    memcpy(res->data, (void *)DIFF_DATA_VA, DIFF_DATA_SIZE);
    fpu_exit(uc, &res->fpu);
    res->done = true;
    siglongjmp(back, 1);
}

static void *map_fixed(uint64_t va, size_t len, int prot)
{
    void *p = mmap((void *)va, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)va) {
        perror("difftest: mmap of the case pages");
        _exit(99);
    }
    return p;
}

/* DS and ES for the case: see child_setup */
static void load_data_segments(uint16_t sel)
{
    __asm__ volatile("movw %w0, %%ds; movw %w0, %%es" : : "r"(sel));
}

/* the LDT segments of 16-bit cases (diff.h) */
static void install_ldt(void)
{
    struct user_desc code = {.entry_number = 0,
                             .base_addr = (unsigned)DIFF_CODE_VA,
                             .limit = 0xffff,
                             .contents = MODIFY_LDT_CONTENTS_CODE,
                             .useable = 1};
    struct user_desc data = {.entry_number = 1,
                             .base_addr = (unsigned)DIFF_DATA_VA,
                             .limit = 0xffff,
                             .contents = MODIFY_LDT_CONTENTS_DATA,
                             .useable = 1};
    if (syscall(SYS_modify_ldt, 1, &code, sizeof code) ||
        syscall(SYS_modify_ldt, 1, &data, sizeof data))
        perror("difftest: modify_ldt"); /* 16-bit cases will then fail to start */
}

static void child_setup(void)
{
    static char altstack[ALT_STACK_SIZE];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sa.sa_sigaction = enter_handler;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_sigaction = exit_handler;
    static const int ends[] = {SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    for (unsigned k = 0; k < sizeof ends / sizeof ends[0]; k++)
        sigaction(ends[k], &sa, NULL);

    map_fixed(DIFF_CODE_VA, DIFF_PAGE, PROT_READ | PROT_EXEC);
    /* the guard pages are reserved but never accessible */
    map_fixed(DIFF_GUARD_LO, DIFF_PAGE, PROT_NONE);
    map_fixed(DIFF_DATA_VA, DIFF_DATA_SIZE, PROT_READ | PROT_WRITE);
    map_fixed(DIFF_GUARD_HI, DIFF_PAGE, PROT_NONE);
    install_ldt();
    /*
     * A 64-bit process runs with null DS and ES, which 32-bit code cannot
     * use; load the flat user data selector, as a 32-bit process has it.
     */
    alarm(CHILD_TIMEOUT_S);
}

/* sigreturn does not restore RFLAGS.ID, so a case that set it would leak it to the next */
static void set_id_flag(bool on)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    f = on ? f | ID_FLAG : f & ~ID_FLAG;
    __asm__ volatile("pushq %0; popfq" : : "r"(f) : "cc", "memory");
}

static void child_run(const struct diff_case *cases, struct diff_result *results, unsigned from,
                      unsigned n)
{
    child_setup();
    for (volatile unsigned k = from; k < n; k++) {
        const struct diff_case *dc = &cases[k];
        uint8_t *code = (uint8_t *)DIFF_CODE_VA;
        mprotect(code, DIFF_PAGE, PROT_READ | PROT_WRITE);
        memset(code, 0xcc, DIFF_PAGE);
        memcpy(code, dc->code, dc->code_len);
        mprotect(code, DIFF_PAGE, PROT_READ | PROT_EXEC);
        diff_fill_data((uint8_t *)DIFF_DATA_VA, dc->data_seed);
        set_id_flag(dc->rflags & ID_FLAG);
        load_data_segments(dc->code16 ? DIFF_DATA16_SEL : USER_DS);
        cur = dc;
        res = &results[k];
        if (!sigsetjmp(back, 1))
            raise(SIGUSR1);
    }
    _exit(0);
}

void diff_run_native(const struct diff_case *cases, struct diff_result *results, unsigned n)
{
    unsigned from = 0;
    for (unsigned k = 0; k < n; k++)
        results[k].done = false;
    while (from < n) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("difftest: fork");
            exit(2);
        }
        if (pid == 0)
            child_run(cases, results, from, n);
        int status;
        waitpid(pid, &status, 0);
        while (from < n && results[from].done)
            from++;
        if (from < n) {
            /* the child died on this case: leave it not done, carry on after it */
            results[from].vector = -2;
            from++;
        }
    }
}
