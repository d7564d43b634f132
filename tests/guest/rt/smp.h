/*
 * tests/guest/rt/smp.h: start the application processors of a guest test
 * with INIT-SIPI-SIPI through the local APIC (SDM Vol 3A 9.4.4), and run a
 * function on every one of them.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#define AP_TRAMP_BASE 0x8000 /* below 1 MiB, page aligned: STARTUP vector 0x08 */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#define SMP_MAX_CPUS 64

/* start ncpus - 1 APs, each running fn(index) (1..ncpus-1) on its own stack;
 * returns how many checked in before the wait ran out */
unsigned smp_start_aps(unsigned ncpus, void (*fn)(unsigned index));

uint32_t lapic_id(void);

extern volatile uint32_t ap_boot_lock, ap_next_stack, ap_next_index;
void ap_entry(uint32_t index);
#endif

#endif
