/*
 * Leaving the emulator. Each engine listens somewhere else:
 *   QEMU   -device isa-debug-exit,iobase=0xf4,iosize=4: a write of s makes
 *          QEMU exit with status (s << 1) | 1;
 *   Bochs  the string "Shutdown" written to port 0x8900 powers off;
 *   other  nothing: we halt with interrupts off.
 * The status is also printed, for engines that cannot pass it back.
 */
#include "guest.h"

static const char bochs_shutdown[] = "Shutdown";

void guest_exit(int status)
{
    if (cpu_cpl() == 3)
        syscall1(SYS_EXIT, (uint32_t)status);
    printf("# guest-exit: %d\n", status);
    uart_flush();
    outl(DEBUG_EXIT_PORT, (uint32_t)status);
    for (const char *p = bochs_shutdown; *p; p++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
    for (;;)
        __asm__ volatile("cli; hlt");
}
