/* kernel/percpu.c: per-core state blocks, one per host CPU. */
#include "kernel/percpu.h"
#include "emu/x86.h"
#include "kernel/cpu.h"

struct percpu percpu[MAX_HOST_CPUS];
unsigned ncpus_online = 1;

static void percpu_load(unsigned index)
{
    percpu[index].self = &percpu[index];
    percpu[index].index = index;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&percpu[index]);
}

void percpu_init_boot(void) { percpu_load(0); }
void percpu_init_ap(unsigned index) { percpu_load(index); }
