/*
 * kernel/idle.h: how a core with nothing to do waits: MWAIT where the CPU
 * has it (CPUID.01H:ECX[3], SDM Vol 3A 9.10.4), HLT otherwise.
 *
 * Both are entered right after STI, whose one-instruction interrupt shadow
 * (SDM Vol 3A 6.8.3) keeps an interrupt that is already pending from
 * arriving before the wait starts, so no wake-up is lost. MWAIT also wakes
 * when another core writes the monitored line, so a kick that only sets a
 * flag there needs no IPI. Called with interrupts off; returns with them on.
 */
#ifndef KERNEL_IDLE_H
#define KERNEL_IDLE_H

#include <stdbool.h>

extern bool idle_mwait; /* set by idle_init() */

void idle_init(void);

static inline void idle_wait(const volatile void *watch)
{
    if (idle_mwait && watch) {
        __asm__ volatile("monitor" ::"a"(watch), "c"(0), "d"(0));
        __asm__ volatile("sti; mwait" ::"a"(0), "c"(0) : "memory");
    } else {
        __asm__ volatile("sti; hlt" ::: "memory");
    }
}

#endif
