/* kernel/stop.c: the ways the kernel ends. */
#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/kernel.h"

bool kernel_exit_when_done;

void kernel_stop(enum kernel_exit verdict)
{
    if (kernel_exit_when_done)
        outl(DEBUG_EXIT_PORT, verdict); /* QEMU's isa-debug-exit; nothing on real hardware */
    cpu_halt_forever();
}

void kernel_panic(const char *fmt, ...)
{
    va_list ap;
    console_panic_mode();
    kprintf("\n*** kernel panic: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    kernel_stop(KERNEL_EXIT_FAIL);
}
