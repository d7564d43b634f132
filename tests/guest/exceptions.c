/*
 * exceptions: provoke each exception a program can, in ring 0 and ring 3,
 * and check what the CPU saved: vector, error code, CS:EIP and EFLAGS (SDM
 * Vol 3A 6.15, table 6-1; error codes 6.13: a selector's index and TI,
 * EXT = 0 here, IDT = 1 for an IDT entry). Faults save the faulting
 * instruction's address, traps the next one's.
 *
 * The saved EFLAGS is compared without RF, which the SDM has the CPU set in
 * the image of a fault (Vol 3A 17.3.1.1) and QEMU TCG does not.
 */
#include "rt/guest.h"

#define EFL_TF 0x00000100u
#define EFL_IF 0x00000200u
#define EFL_OF 0x00000800u
#define EFL_NT 0x00004000u
#define EFL_RF 0x00010000u
#define EFL_AC 0x00040000u
#define CR0_AM (1u << 18)
#define DR6_BS (1u << 14)

#define SLOT_NP_DATA   6 /* a data segment that is not present */
#define SLOT_RO_DATA   7 /* a read-only data segment */
#define SEL_NP_DATA    (SLOT_NP_DATA << 3)
#define SEL_RO_DATA    (SLOT_RO_DATA << 3)
#define ACC_DATA_RW    0x92 /* present, DPL 0, data, writable */
#define ACC_DATA_RO    0x90
#define ACC_NOT_P      0x80
#define FLAGS_4K_32    0xC /* G, D/B */
#define ERR_IDT        2   /* error code: the selector is an IDT vector */
#define ERR_SEL(sel)   ((sel)&0xFFFC)
#define NO_ERROR       0
#define GATE_VECTOR(v) ((v) << 3 | ERR_IDT)

/* where the next provocation faults and where the handler resumes (asm) */
uint32_t fault_at, resume_at, eflags_at;

static volatile struct {
    uint32_t n, vector, error, eip, cs, eflags;
} got;

static void catcher(struct trap_frame *f)
{
    got.n++;
    got.vector = f->vector;
    got.error = f->error;
    got.eip = f->eip;
    got.cs = f->cs & 0xFFFF;
    got.eflags = f->eflags;
    f->eip = resume_at;
    f->eflags &= ~(EFL_TF | EFL_NT);
}

/*
 * insn at label 0, resume at label 1; EFLAGS just before it in eflags_at.
 * The operands follow, as in an asm statement.
 */
#define PROVOKE(insn, ...)                                                                         \
    do {                                                                                           \
        got.n = 0;                                                                                 \
        __asm__ volatile("movl $0f, fault_at\n\tmovl $1f, resume_at\n\t"                           \
                         "pushfl\n\tpopl eflags_at\n0:\t" insn "\n1:\n" __VA_ARGS__);              \
    } while (0)

/* one check: vector, error code, saved EIP (fault_at or resume_at), CS, EFLAGS */
static void expect(const char *what, uint32_t vector, uint32_t error, bool trap, uint32_t cs)
{
    uint32_t eip = trap ? resume_at : fault_at;
    bool ok = got.n == 1 && got.vector == vector && got.error == error && got.eip == eip &&
              got.cs == cs && ((got.eflags ^ eflags_at) & ~EFL_RF) == 0;
    if (!tap_ok(ok, "%s: vector %u, error 0x%x, saved %04x:%s, EFLAGS", what, vector, error, cs,
                trap ? "next EIP" : "faulting EIP"))
        tap_diag("got %u trap(s): vector %u error 0x%x at %04x:%08x eflags %08x; want eip %08x "
                 "eflags %08x",
                 got.n, got.vector, got.error, got.cs, got.eip, got.eflags, eip, eflags_at);
}

static void ring0_faults(void)
{
    PROVOKE("divl %%ecx", : : "a"(1), "d"(0), "c"(0));
    expect("DIV by zero is #DE", 0, NO_ERROR, false, SEL_KCODE);

    PROVOKE("int3");
    expect("INT3 is #BP, a trap", 3, NO_ERROR, true, SEL_KCODE);

    {
        uint32_t big = 0x7FFFFFFF;
        got.n = 0;
        __asm__ volatile("addl $1, %0\n\tmovl $0f, fault_at\n\tmovl $1f, resume_at\n\t"
                         "pushfl\n\tpopl eflags_at\n0:\tinto\n1:\n"
                         : "+r"(big)
                         :
                         : "cc");
        expect("INTO with OF set is #OF, a trap", 4, NO_ERROR, true, SEL_KCODE);
    }

    {
        static int32_t bounds[2] = {10, 20};
        PROVOKE("boundl %%eax, (%%ebx)", : : "a"(21), "b"(bounds));
        expect("BOUND out of range is #BR", 5, NO_ERROR, false, SEL_KCODE);
        PROVOKE("boundl %%eax, (%%ebx)", : : "a"(20), "b"(bounds));
        tap_ok(got.n == 0, "BOUND in range does nothing");
    }

    PROVOKE("ud2");
    expect("UD2 is #UD", 6, NO_ERROR, false, SEL_KCODE);

    PROVOKE("movw %%ax, %%ds", : : "a"(SEL_NP_DATA));
    expect("loading DS with a not-present segment is #NP(selector)", 11, ERR_SEL(SEL_NP_DATA),
           false, SEL_KCODE);

    PROVOKE("movw %%ax, %%ss", : : "a"(SEL_NP_DATA));
    expect("loading SS with a not-present segment is #SS(selector)", 12, ERR_SEL(SEL_NP_DATA),
           false, SEL_KCODE);

    PROVOKE("movw %%ax, %%ss", : : "a"(SEL_RO_DATA));
    expect("loading SS with a read-only segment is #GP(selector)", 13, ERR_SEL(SEL_RO_DATA), false,
           SEL_KCODE);

    PROVOKE("movw %%ax, %%ds", : : "a"(GDT_ENTRIES << 3 | 3));
    expect("a selector beyond the GDT limit is #GP(selector)", 13, GDT_ENTRIES << 3, false,
           SEL_KCODE);

    PROVOKE("movw %%ax, %%ds\n\tmovl (0x10000), %%eax\n\t", : : "a"(SEL_NP_DATA));
    /* the first instruction faults, so the load never runs */
    if (!tap_ok(got.n == 1 && got.vector == 11, "the instruction after a fault does not run"))
        tap_diag("%u trap(s), the last vector %u", got.n, got.vector);

    {
        /* #TS: IRET with NT set takes TSS.link as the task to return to;
         * a link that is not a busy TSS is #TS(link) (SDM Vol 2A IRET) */
        uint16_t saved = rt_tss.link;
        rt_tss.link = SEL_RO_DATA;
        got.n = 0;
        __asm__ volatile("pushfl\n\torl %0, (%%esp)\n\tpopfl\n\t"
                         "movl $0f, fault_at\n\tmovl $1f, resume_at\n\t"
                         "pushfl\n\tpopl eflags_at\n0:\tiret\n1:\n"
                         :
                         : "i"(EFL_NT)
                         : "cc", "memory");
        rt_tss.link = saved;
        expect("IRET with NT to a link that is no TSS is #TS(link)", 10, ERR_SEL(SEL_RO_DATA),
               false, SEL_KCODE);
    }
}

static void single_step(void)
{
    uint32_t dr6;

    __asm__ volatile("mov %0, %%dr6" : : "r"(0u));
    got.n = 0;
    /* POPF sets TF: the trap comes after the instruction that follows it */
    __asm__ volatile("movl $0f, fault_at\n\tmovl $1f, resume_at\n\t"
                     "pushfl\n\tpopl eflags_at\n\t"
                     "pushfl\n\torl %0, (%%esp)\n\tpopfl\n0:\tnop\n1:\n"
                     :
                     : "i"(EFL_TF)
                     : "cc", "memory");
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    eflags_at |= EFL_TF; /* the saved image has TF set */
    expect("single-step (TF) is #DB after the next instruction", 1, NO_ERROR, true, SEL_KCODE);
    tap_ok(dr6 & DR6_BS, "DR6.BS set by the single-step (DR6 = 0x%x)", dr6);
}

/* #DF: an exception while the CPU delivers a contributory one. With the IDT
 * cut short before vector 13, a #GP's delivery itself raises #GP(13*8+2),
 * and two contributory faults make a double fault, error code 0 (SDM Vol
 * 3A 6.15 interrupt 8, table 6-5). Its saved CS:EIP is undefined. */
static void double_fault(void)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr, cut;

    __asm__ volatile("sidt %0" : "=m"(idtr));
    cut = idtr;
    cut.limit = 13 * 8 - 1;
    got.n = 0;
    __asm__ volatile("lidt %1\n\tmovl $1f, resume_at\n\t"
                     "movw %w0, %%ds\n1:\n\t"
                     "lidt %2"
                     :
                     : "r"(GDT_ENTRIES << 3), "m"(cut), "m"(idtr)
                     : "memory");
    tap_ok(got.n == 1 && got.vector == 8 && got.error == 0,
           "a #GP while delivering #GP is #DF with error code 0 (vector %u, error 0x%x)",
           got.vector, got.error);
}

/* ring 3: privilege faults */
static int user_faults(void *arg)
{
    (void)arg;
    PROVOKE("hlt");
    expect("HLT at CPL 3 is #GP(0)", 13, NO_ERROR, false, SEL_UCODE);

    PROVOKE("inb $0x80, %%al", : : : "eax");
    expect("IN at CPL 3 with IOPL 0 and the port denied in the I/O bitmap is #GP(0)", 13, NO_ERROR,
           false, SEL_UCODE);

    PROVOKE("int $0x40");
    expect("INT n to a DPL-0 gate from CPL 3 is #GP(vector*8+2)", 13, GATE_VECTOR(0x40), false,
           SEL_UCODE);

    PROVOKE("movw %%ax, %%ds", : : "a"(SEL_KDATA));
    expect("loading DS with a DPL-0 segment at CPL 3 is #GP(selector)", 13, ERR_SEL(SEL_KDATA),
           false, SEL_UCODE);

    PROVOKE("movl %%eax, %%cr0", : : "a"(0));
    expect("MOV to CR0 at CPL 3 is #GP(0)", 13, NO_ERROR, false, SEL_UCODE);
    return 0;
}

/* ring 3 with CR0.AM and EFLAGS.AC: a misaligned access is #AC(0) (SDM Vol
 * 3A 6.15 interrupt 17) */
static int user_align(void *arg)
{
    static uint32_t words[2];
    (void)arg;
    got.n = 0;
    __asm__ volatile("pushfl\n\torl %1, (%%esp)\n\tpopfl\n\t"
                     "movl $0f, fault_at\n\tmovl $1f, resume_at\n\t"
                     "pushfl\n\tpopl eflags_at\n0:\tmovl 1(%0), %%eax\n1:\n\t"
                     "pushfl\n\tandl %2, (%%esp)\n\tpopfl"
                     :
                     : "r"(words), "i"(EFL_AC), "i"(~EFL_AC)
                     : "eax", "cc", "memory");
    return 0;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    static const uint8_t vectors[] = {0, 1, 3, 4, 5, 6, 8, 10, 11, 12, 13, 17};
    uint32_t cr0;
    (void)magic;
    (void)mbi;

    gdt_set(SLOT_NP_DATA, gdt_segment(0, 0xFFFFF, ACC_DATA_RW & ~ACC_NOT_P, FLAGS_4K_32));
    gdt_set(SLOT_RO_DATA, gdt_segment(0, 0xFFFFF, ACC_DATA_RO, FLAGS_4K_32));
    for (unsigned k = 0; k < sizeof(vectors); k++)
        idt_set_handler(vectors[k], catcher, 0);

    ring0_faults();
    single_step();
    double_fault();
    ring3_call(user_faults, NULL);

    if (arg_present("no-ac")) {
        tap_skip("the engine does not model alignment checking (QEMU TCG)",
                 "a misaligned load at CPL 3 with CR0.AM and EFLAGS.AC is #AC(0)");
    } else {
        __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
        __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_AM));
        ring3_call(user_align, NULL);
        __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
        expect("a misaligned load at CPL 3 with CR0.AM and EFLAGS.AC is #AC(0)", 17, NO_ERROR,
               false, SEL_UCODE);
    }
    tap_done();
}
