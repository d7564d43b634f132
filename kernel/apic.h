/* kernel/apic.h: this core's local APIC, in x2APIC mode where the CPU has it. */
#ifndef KERNEL_APIC_H
#define KERNEL_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* host interrupt vectors */
#define VEC_KICK 0xf0     /* wake a core from HLT; nothing else to do */
#define VEC_CALL 0xf1     /* run the function posted for this core */
#define VEC_DEADLINE 0xf2 /* the per-core deadline timer */
#define VEC_SPURIOUS 0xff

extern bool apic_x2;          /* x2APIC mode (CPUID.01H:ECX[21]) */
extern bool apic_tsc_deadline; /* TSC-deadline timer (CPUID.01H:ECX[24]) */

void apic_init_bsp(uint64_t mmio_base); /* chooses the mode, maps nothing: the identity map covers it */
void apic_init_cpu(void);               /* enable and quiet this core's APIC */
uint32_t apic_id(void);
void apic_eoi(void);

void apic_send_fixed(uint32_t dest_apic_id, uint8_t vector);
void apic_send_nmi_others(void);
void apic_send_init(uint32_t dest_apic_id);
void apic_send_sipi(uint32_t dest_apic_id, uint8_t page);

/* fire VEC_DEADLINE at host TSC value tsc (0: cancel) */
void apic_set_deadline(uint64_t tsc);

#endif
