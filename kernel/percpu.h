/* kernel/percpu.h: per-core state, reached through the GS base. */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdint.h>

#define MAX_HOST_CPUS 256

struct percpu {
    struct percpu *self; /* at %gs:0, so this_cpu_ptr() is one load */
    uint32_t index;      /* 0 for the boot CPU, then in bring-up order */
    uint32_t apic_id;
};

void percpu_init_boot(void);

static inline struct percpu *this_cpu_ptr(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}
static inline uint32_t this_cpu_index(void) { return this_cpu_ptr()->index; }

#endif
