/* kernel/trap.h: the host IDT and the CPU exceptions. */
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

void trap_init(void); /* load the IDT on this core */
void trap_dispatch(struct trap_frame *f);

#endif
