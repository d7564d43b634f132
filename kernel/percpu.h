/* kernel/percpu.h: per-core state, reached through the GS base. */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/gdt.h"

#define MAX_HOST_CPUS 256
#define KSTACK_SIZE (64 * 1024)
#define IST_STACK_SIZE (16 * 1024)

struct percpu {
    struct percpu *self; /* at %gs:0, so this_cpu_ptr() is one load */
    uint32_t index;      /* 0 for the boot CPU, then in MADT order */
    uint32_t apic_id;
    volatile bool online;
    uint64_t stack_top;
    uint64_t ist_top[3];      /* NMI, #DF, #MC stacks (gdt.h IST_*) */
    struct cpu_tables tables; /* this core's GDT and TSS */
    /* a function posted to this core (smp_call) */
    void (*volatile call_fn)(void *arg);
    void *volatile call_arg;
} __attribute__((aligned(64)));

extern struct percpu percpu[MAX_HOST_CPUS];
extern unsigned ncpus_online;

void percpu_init_boot(void);
void percpu_init_ap(unsigned index);

static inline struct percpu *this_cpu_ptr(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}
static inline uint32_t this_cpu_index(void) { return this_cpu_ptr()->index; }

#endif
