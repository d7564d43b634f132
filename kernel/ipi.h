/* kernel/ipi.h: the host's own IPIs, and what their handlers do. */
#ifndef KERNEL_IPI_H
#define KERNEL_IPI_H

#include <stdint.h>

/* a reply box a VEC_CALL handler writes: the sender spins on it */
struct ipi_pong {
    volatile uint64_t seq;
    volatile uint64_t tsc; /* the target's TSC when its handler ran */
} __attribute__((aligned(64)));

void ipi_init(void); /* install the handlers (once, on the boot CPU) */
/* the box the VEC_CALL handler of core index answers in */
extern struct ipi_pong ipi_pong[];
/* core index's VEC_CALL handler copies this value into its pong box */
extern volatile uint64_t ipi_ping[];

#endif
