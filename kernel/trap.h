/* kernel/trap.h: the host IDT: CPU exceptions and host interrupts. */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdint.h>

/* the stack as trap_entry.S leaves it (lowest address first) */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU (SDM Vol 3A 6.14.2) */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

/*
 * A host interrupt handler. It runs with interrupts off, on the interrupted
 * stack, and must not touch SSE state or call into newlib: files holding
 * handlers are compiled with -mgeneral-regs-only. The EOI is sent for it.
 */
typedef void (*irq_handler_t)(struct trap_frame *f);

void trap_init(void); /* load the IDT on this core (built on the first call) */
void trap_set_handler(uint8_t vector, irq_handler_t h);
void trap_dispatch(struct trap_frame *f);

#endif
