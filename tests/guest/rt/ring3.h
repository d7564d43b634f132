/*
 * tests/guest/rt/ring3.h: privilege levels for guest tests. The runtime's
 * GDT, its TSS with a ring-0 stack (SDM Vol 3A 7.2.1), handlers for any IDT
 * vector, a DPL-3 syscall gate and ring3_call(), which runs a function in
 * ring 3 and comes back (SDM Vol 3A 6.12.1: an interrupt from ring 3 takes
 * SS0:ESP0 from the TSS; IRET to an outer ring pops SS:ESP).
 */
#ifndef GUEST_RING3_H
#define GUEST_RING3_H

/* the runtime's GDT (crt0.S); slots GDT_FREE_FIRST.. are the test's own */
#define SEL_KCODE      0x08 /* ring 0, 32-bit code, flat */
#define SEL_KDATA      0x10 /* ring 0, data, flat */
#define SEL_UCODE      0x1B /* ring 3, 32-bit code, flat (index 3, RPL 3) */
#define SEL_UDATA      0x23 /* ring 3, data, flat (index 4, RPL 3) */
#define SEL_TSS        0x28 /* the runtime's 32-bit TSS (index 5) */
#define GDT_FREE_FIRST 6    /* first slot a test may set with gdt_set() */
#define GDT_ENTRIES    16

#define RING0_STACK_SIZE 8192
#define RING3_STACK_SIZE 16384

#define SYSCALL_VECTOR      0x80 /* DPL 3: ring 3 asks ring 0 (EAX = SYS_*) */
#define RING3_RETURN_VECTOR 0x81 /* DPL 3: ring3_call's way back */

#define SYS_PUTC 1 /* EBX = the character, to COM1 */
#define SYS_EXIT 2 /* EBX = the status: guest_exit() from ring 3 */
#define SYS_USER 3 /* first number a test may give to syscall_set() */
#define SYS_MAX  16

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame;

/* the 32-bit TSS (SDM Vol 3A figure 7-2) and a full I/O permission bitmap:
 * every bit set (every port denied to CPL > IOPL) until a test clears one */
#define IOMAP_BYTES (65536 / 8)
struct tss32 {
    uint16_t link, _r0;
    uint32_t esp0;
    uint16_t ss0, _r1;
    uint32_t esp1;
    uint16_t ss1, _r2;
    uint32_t esp2;
    uint16_t ss2, _r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, _r4, cs, _r5, ss, _r6, ds, _r7, fs, _r8, gs, _r9, ldt, _r10;
    uint16_t trap, iomap_base;
    uint8_t iomap[IOMAP_BYTES + 1]; /* the last byte must be 0xFF (SDM Vol 1 19.5.2) */
} __attribute__((packed));
_Static_assert(__builtin_offsetof(struct tss32, iomap) == 104, "32-bit TSS layout");

extern struct tss32 rt_tss;
extern uint64_t rt_gdt[GDT_ENTRIES];
extern char ring0_stack[], ring0_stack_top[]; /* TSS.ESP0: traps from ring 3 land here */
extern char ring3_stack[], ring3_stack_top[]; /* where ring3_call's function runs */

/* descriptors (SDM Vol 3A 3.4.5, 5.8.3) */
uint64_t gdt_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
uint64_t gdt_gate(uint16_t sel, uint32_t offset, uint8_t type, uint8_t dpl, uint8_t params);
void gdt_set(unsigned index, uint64_t desc); /* bails if index is not the test's */

/* IDT: a C handler for any vector, through an interrupt gate (IF cleared)
 * of the given DPL (3 lets ring 3 reach it with INT n). The handler may
 * change the frame (eip, eax, eflags, ...): the stub IRETs from it. */
typedef void (*trap_handler)(struct trap_frame *f);
void idt_set_handler(uint8_t vector, trap_handler fn, unsigned dpl);
void idt_clear_handler(uint8_t vector); /* back to "unexpected exception" */
void idt_set_stub(uint8_t vector, void (*stub)(void), unsigned dpl); /* a raw stub */

/* run fn(arg) at CPL 3 (CS SEL_UCODE, SS/DS/ES/FS/GS SEL_UDATA, on
 * ring3_stack, EFLAGS as the caller's but IOPL 0, TF/NT clear) and return
 * its result. Not nestable; call it from ring 0. With paging on, the code,
 * data and stacks it touches must be user pages. */
int ring3_call(int (*fn)(void *), void *arg);

/* ring 3 -> ring 0 through the DPL-3 gate: eax = n, ebx = a; returns eax */
static inline uint32_t syscall1(uint32_t n, uint32_t a)
{
    uint32_t r;

    __asm__ volatile("int %[v]" : "=a"(r) : "a"(n), "b"(a), [v] "i"(SYSCALL_VECTOR) : "memory");
    return r;
}
typedef uint32_t (*syscall_fn)(struct trap_frame *f); /* its result goes to EAX */
void syscall_set(unsigned n, syscall_fn fn);          /* n in SYS_USER..SYS_MAX-1 */

static inline unsigned cpu_cpl(void)
{
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

void ring3_init(void); /* rt_init calls it: TSS, LTR, the two DPL-3 gates */
#endif

#endif
