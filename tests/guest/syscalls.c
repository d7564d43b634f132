/*
 * syscalls: the ways from ring 3 into ring 0 and back in 32-bit protected
 * mode, and the stacks they use.
 *  - IRET to ring 3 (ring3_call): CS, SS, data segments, IOPL 0;
 *  - INT n through a DPL-3 interrupt gate: the TSS's SS0:ESP0 (SDM Vol 3A
 *    6.12.1, figure 6-4: SS, ESP, EFLAGS, CS, EIP on the new stack), IF
 *    cleared, and IRET back;
 *  - a call gate with a parameter count (5.8.5, figure 5-13: the
 *    parameters copied to the inner stack between CS:EIP and SS:ESP), LRET
 *    n back (5.8.6);
 *  - SYSENTER/SYSEXIT (Vol 2B: CS and SS from IA32_SYSENTER_CS, +16/+24
 *    with RPL 3 on the way out, ESP and EIP from the MSRs, ECX/EDX back).
 * SYSCALL/SYSRET, which are 64-bit here, are in the trampoline test.
 */
#include "rt/guest.h"

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define EFL_IF           0x200u
#define EFL_IOPL         0x3000u
#define GATE_CALL32      0xC
#define SLOT_CALL_GATE   6
#define SEL_CALL_GATE    (SLOT_CALL_GATE << 3 | 3)
#define CALL_PARAMS      2
#define SYSCALL_TEST     0x82 /* our DPL-3 gate */
#define WORDS            6

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* what each entry saw, written at CPL 0 */
volatile uint32_t gate_words[WORDS], gate_esp, sysenter_cs, sysenter_ss, sysenter_esp;
volatile uint32_t sysexit_back;

/* the call gate's target and the SYSENTER entry (CPL 0) */
__asm__(".text\n"
        "call_gate_entry:\n\t"
        "mov %esp, gate_esp\n\t"
        "push %esi\n\tpush %edi\n\tpush %ecx\n\t"
        "lea 12(%esp), %esi\n\tmov $gate_words, %edi\n\tmov $6, %ecx\n\t"
        "cld\n\trep movsl %ss:(%esi), %es:(%edi)\n\t"
        "pop %ecx\n\tpop %edi\n\tpop %esi\n\t"
        "lret $8\n"
        "sysenter_entry:\n\t"
        "movl $0, sysenter_cs\n\tmov %cs, sysenter_cs\n\t"
        "movl $0, sysenter_ss\n\tmov %ss, sysenter_ss\n\t"
        "mov %esp, sysenter_esp\n\t"
        "sysexit\n");
extern char call_gate_entry[], sysenter_entry[];

static volatile uint32_t int_frame[5], int_frame_at, int_eflags;

static void int_handler(struct trap_frame *f)
{
    uint32_t fl;

    __asm__ volatile("pushfl; popl %0" : "=r"(fl));
    int_eflags = fl;
    int_frame_at = (uint32_t)(uintptr_t)&f->eip;
    int_frame[0] = f->eip;
    int_frame[1] = f->cs & 0xFFFF;
    int_frame[2] = f->eflags;
    int_frame[3] = f->esp;
    int_frame[4] = f->ss & 0xFFFF;
    f->eax = 0x1234;
}

static volatile uint32_t user_cs, user_ss, user_ds, user_eflags, user_esp_before, int_ret_eip;
static volatile uint32_t int_eax, gate_esp_after, sysenter_user_esp, sysenter_ret;

static int user_int(void *arg)
{
    uint32_t eax;
    (void)arg;

    __asm__ volatile("mov %%cs, %0" : "=r"(user_cs));
    __asm__ volatile("mov %%ss, %0" : "=r"(user_ss));
    __asm__ volatile("mov %%ds, %0" : "=r"(user_ds));
    __asm__ volatile("pushfl; popl %0" : "=r"(user_eflags));
    __asm__ volatile("mov %%esp, %0\n\tmovl $1f, %1\n\tint %3\n1:"
                     : "=m"(user_esp_before), "=m"(int_ret_eip), "=a"(eax)
                     : "i"(SYSCALL_TEST), "a"(0)
                     : "memory");
    int_eax = eax;
    return 0;
}

static int user_call_gate(void *arg)
{
    uint32_t before, after;
    (void)arg;

    __asm__ volatile("mov %%esp, %0\n\t"
                     "pushl $0xAAAA0001\n\tpushl $0xBBBB0002\n\t"
                     "lcall %2, $0\n\t"
                     "mov %%esp, %1"
                     : "=&r"(before), "=r"(after)
                     : "i"(SEL_CALL_GATE)
                     : "memory");
    gate_esp_after = after - before;
    return 0;
}

static int user_sysenter(void *arg)
{
    (void)arg;
    __asm__ volatile("mov %%esp, %%ecx\n\tmov %%esp, %0\n\t"
                     "movl $1f, %%edx\n\tsysenter\n1:\n\t"
                     "movl $1, %1"
                     : "=m"(sysenter_user_esp), "=m"(sysexit_back)
                     :
                     : "ecx", "edx", "memory");
    return cpu_cpl() == 3 ? 7 : 0;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    uint32_t top = (uint32_t)(uintptr_t)ring0_stack_top;

    /* IRET into ring 3, then INT n through a DPL-3 gate */
    idt_set_handler(SYSCALL_TEST, int_handler, 3);
    ring3_call(user_int, NULL);
    tap_ok((user_cs & 0xFFFF) == SEL_UCODE && (user_ss & 0xFFFF) == SEL_UDATA &&
               (user_ds & 0xFFFF) == SEL_UDATA && !(user_eflags & EFL_IOPL),
           "IRET to ring 3: CS 0x%x, SS 0x%x, DS 0x%x, IOPL 0", user_cs & 0xFFFF, user_ss & 0xFFFF,
           user_ds & 0xFFFF);
    tap_ok(int_frame_at == top - 20,
           "INT n from ring 3: a 5-word frame at the top of the TSS stack (frame at 0x%x, "
           "ESP0 0x%x)",
           int_frame_at, top);
    tap_ok(int_frame[0] == int_ret_eip && int_frame[1] == SEL_UCODE &&
               int_frame[3] == user_esp_before && int_frame[4] == SEL_UDATA,
           "the frame holds ring 3's EIP after the INT, CS, ESP and SS");
    tap_ok(!(int_eflags & EFL_IF) && (int_frame[2] & 2), "the interrupt gate cleared IF");
    tap_ok(int_eax == 0x1234, "IRET back to ring 3 with the handler's EAX");

    /* a call gate with two parameters */
    gdt_set(SLOT_CALL_GATE,
            gdt_gate(SEL_KCODE, (uint32_t)(uintptr_t)call_gate_entry, GATE_CALL32, 3, CALL_PARAMS));
    ring3_call(user_call_gate, NULL);
    tap_ok(gate_esp == top - 24, "call gate: the inner stack is the TSS's (ESP 0x%x)", gate_esp);
    tap_ok(gate_words[1] == SEL_UCODE, "call gate: CS:EIP of the caller on top (CS 0x%x)",
           gate_words[1]);
    tap_ok(gate_words[2] == 0xBBBB0002 && gate_words[3] == 0xAAAA0001,
           "call gate: both parameters copied in order (0x%x 0x%x)", gate_words[2], gate_words[3]);
    tap_ok(gate_words[5] == SEL_UDATA && gate_words[4] > (uintptr_t)ring3_stack &&
               gate_words[4] <= (uintptr_t)ring3_stack_top,
           "call gate: the caller's SS:ESP below them (0x%x:0x%x)", gate_words[5], gate_words[4]);
    tap_ok(gate_esp_after == 0, "LRET 8 back to ring 3 drops the parameters from its stack");

    /* SYSENTER/SYSEXIT */
    wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
    wrmsr(MSR_SYSENTER_ESP, top - 64);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)(uintptr_t)sysenter_entry);
    int r = ring3_call(user_sysenter, NULL);
    tap_ok(sysenter_cs == SEL_KCODE && sysenter_ss == SEL_KDATA && sysenter_esp == top - 64,
           "SYSENTER: CS 0x%x, SS 0x%x (SYSENTER_CS, +8), ESP from SYSENTER_ESP", sysenter_cs,
           sysenter_ss);
    tap_ok(sysexit_back == 1 && r == 7, "SYSEXIT: back in ring 3 at EDX with ECX as ESP");
    tap_done();
}
