/*
 * The interrupt controllers from a guest test: the local APIC in xAPIC
 * (MMIO) or x2APIC (MSR) mode, the I/O APIC, and the 8259 pair (to get it
 * out of the way). Register layouts: Intel SDM Vol 3A chapter 11 (the local
 * APIC; older editions number it 10), the 82093AA I/O APIC datasheet, the
 * 8259A datasheet. The IDs of the CPUs come from the MADT.
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_DEFAULT_BASE 0xfee00000u

/* local APIC registers, xAPIC MMIO offsets; x2APIC MSR = 0x800 + offset / 16 (SDM Table 11-1) */
#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080
#define LAPIC_APR       0x090
#define LAPIC_PPR       0x0a0
#define LAPIC_EOI       0x0b0
#define LAPIC_LDR       0x0d0
#define LAPIC_DFR       0x0e0
#define LAPIC_SVR       0x0f0
#define LAPIC_ISR       0x100 /* 8 registers, 16 bytes apart */
#define LAPIC_TMR       0x180
#define LAPIC_IRR       0x200
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define LAPIC_SELF_IPI  0x3f0 /* x2APIC only */

#define MSR_APIC_BASE    0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC(off)  (0x800u + ((off) >> 4))
#define APIC_BASE_BSP    (1ull << 8)
#define APIC_BASE_EXTD   (1ull << 10)
#define APIC_BASE_EN     (1ull << 11)

#define LAPIC_VERSION_EOIS (1u << 24) /* EOI-broadcast suppression offered */
#define SVR_ENABLE         (1u << 8)
#define SVR_EOIS           (1u << 12) /* suppress EOI broadcasts */
#define DFR_FLAT           0xffffffffu
#define DFR_CLUSTER        0x0fffffffu

/* LVT entries (SDM Figure 11-8) */
#define LVT_MASKED         (1u << 16)
#define LVT_LEVEL          (1u << 15)
#define LVT_REMOTE_IRR     (1u << 14)
#define LVT_DM_NMI         (4u << 8)
#define LVT_DM_EXTINT      (7u << 8)
#define LVT_TIMER_ONESHOT  (0u << 17)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_DEADLINE (2u << 17)
#define TIMER_DIV_1        0xb
#define TIMER_DIV_16       0x3

/* ICR (SDM Figure 11-12) */
#define ICR_FIXED      (0u << 8)
#define ICR_LOWEST     (1u << 8)
#define ICR_SMI        (2u << 8)
#define ICR_NMI        (4u << 8)
#define ICR_INIT       (5u << 8)
#define ICR_STARTUP    (6u << 8)
#define ICR_LOGICAL    (1u << 11)
#define ICR_PENDING    (1u << 12)
#define ICR_ASSERT     (1u << 14)
#define ICR_LEVEL      (1u << 15)
#define ICR_SELF       (1u << 18)
#define ICR_ALL        (2u << 18)
#define ICR_ALL_BUT    (3u << 18)
#define APIC_BROADCAST 0xffu

/* ESR bits (SDM Figure 11-9) */
#define ESR_SEND_ACCEPT  (1u << 2)
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)
#define ESR_ILLEGAL_REG  (1u << 7)

/* ---- the local APIC of the calling CPU ---- */
/* xAPIC MMIO, or the x2APIC MSRs once x2apic_enable() has run on this CPU */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_enable(uint8_t spurious_vector); /* SVR: software enable, TPR 0 */
void lapic_eoi(void);
/* send an IPI: dest is an APIC ID or logical destination (ignored with a shorthand) */
void lapic_send_ipi(uint32_t dest, uint32_t icr_lo);
uint32_t lapic_esr(void); /* the write-then-read protocol: write 0, read (SDM 11.5.3) */
bool lapic_is_x2apic(void);
/* IA32_APIC_BASE.EXTD on (SDM 11.12.1); 0 or the #GP vector */
int x2apic_enable(void);
/*
 * the LAPIC timer's input in kHz (divide by 1): the hypervisor timing leaf
 * CPUID 0x40000010 EBX where the engine has one, else QEMU's 1 GHz
 */
uint32_t lapic_timer_khz(void);
/* a one-shot LAPIC timer interrupt on vector after about ms milliseconds (divide by 16) */
void lapic_timer_oneshot_ms(uint8_t vector, uint32_t ms);
/* is vector set in the ISR, TMR or IRR at base (LAPIC_ISR/TMR/IRR)? */
bool lapic_vector_set(uint32_t base, uint8_t vector);

/* ---- the I/O APIC at its MADT address (default 0xfec00000) ---- */
#define IOAPIC_REG_ID      0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_EOI_OFF     0x40 /* version 0x20: write a vector to clear Remote IRR */
#define IORED_LOWEST       (1ull << 8)
#define IORED_NMI          (4ull << 8)
#define IORED_LOGICAL      (1ull << 11)
#define IORED_ACTIVE_LOW   (1ull << 13)
#define IORED_REMOTE_IRR   (1ull << 14)
#define IORED_LEVEL        (1ull << 15)
#define IORED_MASKED       (1ull << 16)
#define IORED_DEST(d)      ((uint64_t)(d) << 56)

uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
uint64_t ioapic_get(unsigned pin);
void ioapic_set(unsigned pin, uint64_t entry);
void ioapic_mask(unsigned pin);
void ioapic_eoi(uint8_t vector); /* the EOI register of a version 0x20 I/O APIC */
unsigned ioapic_pins(void);

/* ---- the machine, from the MADT ---- */
struct apic_platform {
    unsigned ncpus;
    uint32_t apic_id[64]; /* enabled processors, MADT order (the BSP first) */
    uint32_t ioapic_addr;
    uint32_t isa_gsi[16];   /* ISA IRQ n -> GSI, after interrupt source overrides */
    uint16_t isa_flags[16]; /* MPS INTI flags of the override (0: bus default) */
};
extern struct apic_platform plat;

/*
 * Everything a platform test needs before it enables interrupts: the MADT
 * read into plat (bails out without one), the 8259s remapped to 0x20-0x2f
 * and masked, every I/O APIC entry masked, the recovering #GP gate, the TSC
 * rate, and this CPU's LAPIC enabled with spurious vector 0xff, whose gate
 * counts it (rt/irq.h) and writes no EOI.
 */
void platform_init(void);

/* the 8259 pair remapped to vectors base..base+15 and fully masked */
void pic_disable(uint8_t base);

#endif
