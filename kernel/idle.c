/* kernel/idle.c: choose the idle instruction once, on the boot CPU. */
#include "kernel/idle.h"
#include "kernel/console.h"
#include "kernel/cpu.h"

#define CPUID1_ECX_MONITOR (1u << 3)

bool idle_mwait;

void idle_init(void)
{
    idle_mwait = cpuid(1, 0).ecx & CPUID1_ECX_MONITOR;
    kprintf("idle: %s\n", idle_mwait ? "MWAIT" : "HLT (no MONITOR/MWAIT)");
}
