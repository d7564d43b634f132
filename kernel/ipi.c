/*
 * kernel/ipi.c: handlers of the host IPIs. They run in interrupt context,
 * so this file is compiled with -mgeneral-regs-only and calls nothing.
 */
#include "kernel/ipi.h"
#include "kernel/apic.h"
#include "kernel/cpu.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"

struct ipi_pong ipi_pong[MAX_HOST_CPUS];
volatile uint64_t ipi_ping[MAX_HOST_CPUS];

/* VEC_KICK only wakes the core from HLT; the woken code looks for work itself */
static void on_kick(struct trap_frame *f) { (void)f; }

static void on_call(struct trap_frame *f)
{
    (void)f;
    unsigned me = this_cpu_index();
    ipi_pong[me].tsc = rdtsc();
    __atomic_store_n(&ipi_pong[me].seq, ipi_ping[me], __ATOMIC_RELEASE);
}

static void on_deadline(struct trap_frame *f) { (void)f; }

void ipi_init(void)
{
    trap_set_handler(VEC_KICK, on_kick);
    trap_set_handler(VEC_CALL, on_call);
    trap_set_handler(VEC_DEADLINE, on_deadline);
}
