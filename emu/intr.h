/*
 * emu/intr.h: interrupt routing, the one module between interrupt sources
 * (LAPIC ICR writes, the IOAPIC, MSI) and the local APICs they target
 * (Intel SDM Vol 3A 11.6 "Issuing Interprocessor Interrupts", 11.6.2
 * "Determining IPI Destination", 11.11 "Message Signalled Interrupts").
 *
 * A message names a destination and a delivery mode. intr_deliver() resolves
 * the destination to LAPICs and calls lapic_deliver() on each: the only way
 * anything outside a LAPIC changes it (set IRR atomically, then kick).
 *
 * Destinations:
 *   physical: the APIC ID; 0xff (8-bit) or 0xffffffff (x2APIC) is broadcast;
 *   logical, xAPIC flat (DFR model 1111b): dest & LDR[31:24] != 0;
 *   logical, xAPIC cluster (DFR model 0000b): dest[7:4] == LDR[31:28] and
 *     dest[3:0] & LDR[27:24] != 0; 0xff is broadcast in both models;
 *   logical, x2APIC: dest[31:16] == LDR[31:16] and dest[15:0] & LDR[15:0] != 0.
 *   Each target matches with the model of its own mode, DFR and LDR. An
 *   8-bit destination (IOAPIC, MSI, xAPIC ICR) reaching an x2APIC-mode LAPIC
 *   is compared zero-extended, with 0xff still broadcast (as KVM does).
 *   Shorthands (self, all including self, all excluding self) ignore dest.
 *
 * Lowest priority (11.6.2.4 leaves arbitration to the chipset): among the
 * matching LAPICs that are software-enabled, the one with the lowest
 * arbitration priority (APR, 11.8.2) wins; ties go to the lowest vCPU index,
 * so runs stay deterministic. Focus-processor checking is not implemented.
 *
 * Delivery modes: fixed, lowest priority, NMI, INIT, SIPI and ExtINT reach
 * the target. SMI is accepted and dropped: there is no SMM. INIT level
 * de-assert (INIT with the level bit clear) only resynchronised arbitration
 * IDs on P6 and does nothing since the Pentium 4 (11.6.1): it is accepted
 * and has no effect.
 *
 * Only globally enabled LAPICs (IA32_APIC_BASE.EN) take part.
 *
 * Locking: none here; the LAPIC table is fixed when the machine is built,
 * and lapic_deliver() uses atomics only. Callable from any thread.
 */
#ifndef BAREMU_INTR_H
#define BAREMU_INTR_H

#include <stdbool.h>
#include <stdint.h>

struct lapic;

/* delivery modes (ICR, LVT, IOAPIC redirection entries, MSI data: bits 10:8) */
#define APIC_DM_FIXED  0
#define APIC_DM_LOWEST 1
#define APIC_DM_SMI    2
#define APIC_DM_NMI    4
#define APIC_DM_INIT   5
#define APIC_DM_SIPI   6
#define APIC_DM_EXTINT 7

/* destination shorthands (ICR bits 19:18) */
#define APIC_SH_NONE   0
#define APIC_SH_SELF   1
#define APIC_SH_ALL    2
#define APIC_SH_OTHERS 3

#define APIC_BROADCAST_XAPIC  0xffu
#define APIC_BROADCAST_X2APIC 0xffffffffu

struct intr_msg {
    uint32_t dest;     /* APIC ID or logical destination */
    uint8_t vector;    /* or the SIPI page */
    uint8_t mode;      /* APIC_DM_* */
    uint8_t shorthand; /* APIC_SH_*; non-NONE needs a source */
    bool logical;      /* destination mode */
    bool level;        /* trigger mode: level (sets the target's TMR bit) */
    bool assert;       /* the level bit; INIT with it clear is INIT de-assert */
    bool x2apic;       /* 32-bit destination (from an x2APIC ICR) */
};

#define INTR_MAX_EOI_LISTENERS 4

struct intr_eoi_listener {
    void (*eoi)(void *opaque, uint8_t vector);
    void *opaque;
};

struct intr {
    struct lapic *const *cpu; /* by vCPU index */
    unsigned ncpu;
    struct intr_eoi_listener eoi[INTR_MAX_EOI_LISTENERS];
    unsigned neoi;
};

void intr_init(struct intr *f, struct lapic *const *cpus, unsigned ncpu);

/* an IOAPIC asks to hear EOI broadcasts; 0, or -1 when the table is full */
int intr_add_eoi_listener(struct intr *f, void (*eoi)(void *opaque, uint8_t vector), void *opaque);

/* deliver m (src: the sending LAPIC, for shorthands; may be NULL); returns the targets reached */
unsigned intr_deliver(struct intr *f, const struct intr_msg *m, const struct lapic *src);

/* a LAPIC's EOI of a level-triggered vector, broadcast to every listener (11.8.5) */
void intr_eoi_broadcast(struct intr *f, uint8_t vector);

/*
 * A message-signalled interrupt (SDM Vol 3A 11.11.1, 11.11.2): addr is
 * 0xFEExxxxx with the destination ID in bits 19:12 and the destination mode in
 * bit 2; data holds the vector (7:0), delivery mode (10:8), level (14) and
 * trigger mode (15). Returns false (and delivers nothing) if addr is not in
 * the interrupt range or the delivery mode is reserved.
 */
bool msi_deliver(struct intr *f, uint64_t addr, uint32_t data);

#define MSI_ADDR_BASE      0xfee00000u
#define MSI_ADDR_MASK      0xfff00000u
#define MSI_ADDR_DEST(a)   (((a) >> 12) & 0xff)
#define MSI_ADDR_LOGICAL   (1u << 2)
#define MSI_DATA_VECTOR(d) ((d)&0xff)
#define MSI_DATA_MODE(d)   (((d) >> 8) & 7)
#define MSI_DATA_ASSERT    (1u << 14)
#define MSI_DATA_LEVEL     (1u << 15)

#endif
