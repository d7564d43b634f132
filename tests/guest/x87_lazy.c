/*
 * x87_lazy: the x87 from ring 3 under a tiny kernel that switches FPU state
 * lazily, as kernels do (SDM Vol 3A 2.5 and 13.4: CR0.TS set on a task
 * switch, the #NM handler does CLTS and saves the previous owner's state
 * with FNSAVE and loads the new one's with FRSTOR). Two "tasks" run their
 * steps in turn, each keeping values on the x87 stack across the other's
 * steps; the results and the number of #NM must come out exactly.
 *
 * Then the exceptions around it: #MF at the next waiting instruction after
 * an unmasked zero divide with CR0.NE set (from ring 3, SDM Vol 1 8.7), and
 * #NM by CR0.EM, with WAIT ignoring EM, and needing MP to fault on TS
 * (Vol 3A table 2-2). x87 code is inline assembly: guest C is built with
 * -mgeneral-regs-only.
 */
#include "rt/guest.h"

#define VEC_NM 7
#define VEC_MF 16
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define FSW_ZE 0x0004
#define FSW_ES 0x0080

struct task {
    uint8_t area[108] __attribute__((aligned(16))); /* FNSAVE image, 32-bit layout */
    bool used;                                      /* area holds a state */
};

static struct task tasks[2], *current, *owner;
static volatile uint32_t nm_count, mf_count, mf_fsw, mf_eip;

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

/* a task switch: the FPU state stays where it is, TS makes the next use trap */
static void switch_to(struct task *t)
{
    current = t;
    cr0_write(cr0_read() | CR0_TS);
}

/* #NM: CLTS (and, for the CR0.EM checks, EM off), then give the FPU to the current task */
static void nm_handler(struct trap_frame *f)
{
    (void)f;
    nm_count++;
    cr0_write(cr0_read() & ~CR0_EM);
    __asm__ volatile("clts");
    if (owner == current)
        return;
    if (owner) {
        __asm__ volatile("fnsave %0" : "=m"(owner->area));
        owner->used = true;
    }
    if (current->used)
        __asm__ volatile("frstor %0" ::"m"(current->area));
    else
        __asm__ volatile("fninit");
    owner = current;
}

/* #MF: note what was pending, clear it, and let the instruction run again */
static void mf_handler(struct trap_frame *f)
{
    uint16_t sw;
    mf_count++;
    mf_eip = f->eip;
    __asm__ volatile("fnstsw %0; fnclex" : "=m"(sw));
    mf_fsw = sw;
}

/* ---- the two tasks' steps, each run in ring 3 ------------------------------ */

static int32_t res_a, res_b;
static uint8_t pi_a[10];
static const int32_t seven = 7, two = 2;

static int a1(void *p)
{
    (void)p;
    __asm__ volatile("fld1; fld1; faddp");
    return 0;
}

static int a2(void *p)
{
    (void)p;
    __asm__ volatile("fld1; faddp; fldpi");
    return 0;
}

static int a3(void *p)
{
    (void)p;
    __asm__ volatile("fstpt %0; fistpl %1" : "=m"(pi_a), "=m"(res_a));
    return 0;
}

static int b1(void *p)
{
    (void)p;
    __asm__ volatile("fildl %0; fld1" ::"m"(seven));
    return 0;
}

static int b2(void *p)
{
    (void)p;
    /* FSUBP ST(1), ST(0) (DE E9; AT&T's mnemonics swap it), then * 2: (7 - 1) * 2 */
    __asm__ volatile(".byte 0xde, 0xe9; fildl %0; fmulp" ::"m"(two));
    return 0;
}

static int b3(void *p)
{
    (void)p;
    __asm__ volatile("fistpl %0" : "=m"(res_b));
    return 0;
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
    static const uint8_t pi[10] = {0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40};
    tap_ok(res_a == 3, "task A: 1 + 1 + 1 kept on its stack across B's steps (%d)", res_a);
    tap_ok(memcmp(pi_a, pi, sizeof pi) == 0, "task A: its FLDPI survived B's steps bit for bit");
    tap_ok(res_b == 12, "task B: (7 - 1) * 2 across A's steps (%d)", res_b);
    tap_ok(nm_count == 6, "one NM exception per step after a switch, none within a step (%u)",
           nm_count);
}

/* ---- #MF with CR0.NE ---------------------------------------------------------- */

static uint32_t mf_fdiv_at, mf_wait_at;

static int zero_divide(void *p)
{
    (void)p;
    static const uint16_t cw = 0x037b; /* ZE unmasked */
    __asm__ volatile("fninit; fldcw %0; fldz; fld1\n"
                     "1: fdiv %%st(1), %%st\n"
                     "2: fwait\n"
                     "movl $1b, %1; movl $2b, %2; fninit" ::"m"(cw),
                     "m"(mf_fdiv_at), "m"(mf_wait_at));
    return 0;
}

static void mf_from_ring3(void)
{
    switch_to(&tasks[0]);
    mf_count = 0;
    cr0_write(cr0_read() | CR0_NE);
    ring3_call(zero_divide, NULL);
    tap_ok(mf_count == 1, "an unmasked zero divide is one MF exception (%u)", mf_count);
    tap_ok(mf_eip == mf_wait_at,
           "MF is raised on the next waiting instruction, the FWAIT (%08x, %08x)", mf_eip,
           mf_wait_at);
    tap_ok((mf_fsw & (FSW_ZE | FSW_ES)) == (FSW_ZE | FSW_ES), "FSW had ZE and ES (%04x)", mf_fsw);
}

/* ---- #NM by EM, and WAIT ------------------------------------------------------ */

static void nm_rules(void)
{
    uint32_t cr0 = cr0_read() & ~(CR0_TS | CR0_EM | CR0_MP);
    owner = current = &tasks[0];
    nm_count = 0;
    cr0_write(cr0 | CR0_EM);
    __asm__ volatile("fwait");
    tap_ok(nm_count == 0, "WAIT ignores CR0.EM");
    __asm__ volatile("fnop");
    tap_ok(nm_count == 1, "an x87 instruction with CR0.EM is NM");
    cr0_write(cr0 | CR0_TS); /* MP clear */
    __asm__ volatile("fwait");
    tap_ok(nm_count == 1, "WAIT with TS but not MP does not fault");
    cr0_write(cr0 | CR0_TS | CR0_MP);
    __asm__ volatile("fwait");
    tap_ok(nm_count == 2, "WAIT with TS and MP is NM");
    cr0_write(cr0 | CR0_MP | CR0_NE);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    tap_plan(11);
    idt_set_handler(VEC_NM, nm_handler, 0);
    idt_set_handler(VEC_MF, mf_handler, 0);
    cr0_write((cr0_read() & ~CR0_EM) | CR0_MP | CR0_NE);
    __asm__ volatile("fninit");
    lazy_switching();
    mf_from_ring3();
    nm_rules();
    return 0;
}
