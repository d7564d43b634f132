/* kernel/percpu.c: per-core state blocks, one per host CPU. */
#include "kernel/percpu.h"
#include "emu/x86.h"
#include "kernel/cpu.h"

static struct percpu percpu[MAX_HOST_CPUS];

void percpu_init_boot(void)
{
    percpu[0] = (struct percpu){.self = &percpu[0], .index = 0};
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&percpu[0]);
}
