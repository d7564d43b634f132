/* kernel/kernel.h: how the kernel stops, and the verdicts it reports. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdbool.h>

/*
 * Verdicts written to QEMU's isa-debug-exit port (0xF4) when the kernel runs
 * with -exit; QEMU then exits with status (v << 1) | 1.
 */
enum kernel_exit {
    KERNEL_EXIT_OK = 0,      /* qemu exits 1 */
    KERNEL_EXIT_FAIL = 1,    /* qemu exits 3 */
    KERNEL_EXIT_BADCMD = 2,  /* qemu exits 5: the command line was rejected */
    KERNEL_EXIT_FAULT = 3,   /* qemu exits 7: a host CPU exception */
};
#define DEBUG_EXIT_PORT 0xf4

extern bool kernel_exit_when_done; /* -exit on the command line */

/* the region newlib's sbrk hands out (kernel/newlib_glue.c); mm_init() calls it */
void kernel_heap_init(void *base, unsigned long size);

/* stop this core for good; with -exit, end QEMU with the verdict first */
__attribute__((noreturn)) void kernel_stop(enum kernel_exit verdict);
/* a broken host invariant: log it and stop with KERNEL_EXIT_FAIL */
__attribute__((noreturn, format(printf, 1, 2))) void kernel_panic(const char *fmt, ...);

#endif
