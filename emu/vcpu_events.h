/*
 * emu/vcpu_events.h: what a vCPU does with its LAPIC's event word at an
 * instruction boundary, and its power states: running, halted (HLT), and
 * waiting for SIPI (Intel SDM Vol 3A 9.4 "Multiple-Processor (MP)
 * Initialization", 11.6.1 INIT and start-up, 6.9 priorities).
 *
 * The run loop calls vcpu_next_action() at each boundary (or when kicked)
 * and carries out what it returns; this file only decides, in this order:
 *
 *   1. machine bits (pause requests): VCPU_ACT_MACHINE with the bits taken;
 *   2. INIT: VCPU_ACT_INIT. The LAPIC is reset here (11.4.7.3); the caller
 *      resets the CPU to its INIT state (9.1.1 Table 9-1) and the vCPU now
 *      waits for SIPI, the BSP too;
 *   3. SIPI: in wait-for-SIPI, VCPU_ACT_SIPI with the vector: start in real
 *      mode at CS = vector << 8, IP = 0 (vector * 0x1000). In any other state
 *      a SIPI is dropped (9.4.4.1: it is ignored by a running processor);
 *   4. in wait-for-SIPI nothing else is taken: NMIs and interrupts stay
 *      pending;
 *   5. NMI, unless NMIs are blocked (until the IRET of the last one): VCPU_ACT_NMI;
 *   6. with RFLAGS.IF set and no interrupt shadow: ExtINT (VCPU_ACT_EXTINT:
 *      the caller runs pic_read_irq() for the vector), then the LAPIC's
 *      highest deliverable vector (VCPU_ACT_INTR, already moved to ISR).
 *
 * A halted vCPU resumes (state becomes RUNNING) on anything from 2, 5 or 6.
 * VCPU_ACT_NONE in HALTED or WAIT_SIPI means: sleep until kicked or until
 * min(lapic_next_deadline(), pc_next_deadline()).
 *
 * APs power on in VCPU_WAIT_SIPI; the BSP in VCPU_RUNNING (vcpu_power_on_state).
 */
#ifndef BAREMU_VCPU_EVENTS_H
#define BAREMU_VCPU_EVENTS_H

#include "emu/dev/lapic.h"

#include <stdint.h>

enum vcpu_state { VCPU_RUNNING, VCPU_HALTED, VCPU_WAIT_SIPI };

enum vcpu_action_kind {
    VCPU_ACT_NONE,
    VCPU_ACT_MACHINE,
    VCPU_ACT_INIT,
    VCPU_ACT_SIPI,
    VCPU_ACT_NMI,
    VCPU_ACT_EXTINT,
    VCPU_ACT_INTR,
};

struct vcpu_action {
    enum vcpu_action_kind kind;
    uint8_t vector;        /* SIPI page, or the interrupt vector */
    uint32_t machine_bits; /* for VCPU_ACT_MACHINE */
};

/* the CPU's state that gates delivery */
#define VCPU_IF          (1u << 0) /* RFLAGS.IF */
#define VCPU_SHADOW      (1u << 1) /* STI or MOV SS interrupt shadow */
#define VCPU_NMI_BLOCKED (1u << 2) /* inside an NMI handler */

#define VCPU_SIPI_START(vector) ((uint32_t)(vector) << 12) /* physical start address */

enum vcpu_state vcpu_power_on_state(unsigned index);
struct vcpu_action vcpu_next_action(struct lapic *l, enum vcpu_state *state, unsigned cpu_flags);

#endif
