/*
 * emu/dev/lapic.h: the local APIC, one per vCPU.
 *
 * Follows Intel SDM Vol 3A chapter 11, "Advanced Programmable Interrupt
 * Controller (APIC)" (section numbers of the SDM from 2023 on; older
 * editions number the chapter 10 with the same section structure).
 *
 * ---- who may call what (the locking) -----------------------------------
 *
 * A LAPIC belongs to its vCPU. Register accesses (MMIO, MSRs), timer polls,
 * acknowledge and EOI come only from that vCPU's thread. There is no lock:
 * other threads reach a LAPIC only through
 *
 *   lapic_deliver()       (called by emu/intr.c alone): sets IRR/TMR bits and
 *                         event bits with atomic read-modify-writes, then kicks;
 *   lapic_set_lint()      (the 8259, the NMI source): LINT pin levels;
 *   lapic_post_events()   (the machine: pause requests);
 *   the lapic_route_*()   readers, relaxed atomic loads of ID, LDR, DFR, SVR,
 *                         APIC_BASE and the priorities for destination matching
 *                         and lowest-priority arbitration.
 *
 * So IRR, TMR, the event word, the pending ESR bits and the LVT LINT remote-
 * IRR bits are only ever changed atomically; the owner publishes the fields
 * the routers read with atomic stores. A routing decision may see a register
 * the owner is changing at that moment, as on real hardware.
 *
 * ---- the CPU's side ------------------------------------------------------
 *
 * At instruction-block boundaries the run loop reads lapic_events():
 *   LAPIC_EV_INTR    an IRR bit was set or may have become deliverable: when
 *                    RFLAGS.IF=1 and there is no interrupt shadow, call
 *                    lapic_ack(); -1 means nothing was deliverable (the bit is
 *                    then cleared);
 *   LAPIC_EV_NMI     deliver an NMI (vector 2);
 *   LAPIC_EV_INIT    INIT: reset the vCPU, call lapic_init_reset(), wait for SIPI;
 *   LAPIC_EV_SIPI    start-up, page LAPIC_EV_SIPI_VECTOR(ev); ignore unless
 *                    waiting for SIPI;
 *   LAPIC_EV_EXTINT  the 8259 (through LINT0 or an ExtINT message) wants
 *                    an INTA cycle: when IF=1, take it and ask the PIC for the
 *                    vector;
 *   LAPIC_EV_MACHINE bits the machine posts (pause requests); the LAPIC never
 *                    looks at them.
 * It takes what it handles with lapic_take_events(). Every setter kicks the
 * vCPU through the kick callback after setting the bit, so a halted vCPU wakes.
 * A halted vCPU also wakes at lapic_next_deadline() and calls lapic_timer_poll().
 */
#ifndef BAREMU_LAPIC_H
#define BAREMU_LAPIC_H

#include "emu/bus.h"
#include "emu/clock.h"
#include "emu/intr.h"
#include "emu/platform.h"
#include "emu/x86.h" /* MSR_APIC_BASE */

#include <stdbool.h>
#include <stdint.h>

/* xAPIC register map: MMIO offsets (11.4.1 Table 11-1); the x2APIC MSR is 0x800 + offset/16 */
#define LAPIC_ID          0x020 /* local APIC ID */
#define LAPIC_VERSION     0x030 /* version, max LVT entry, EOI-broadcast suppression */
#define LAPIC_TPR         0x080 /* task priority */
#define LAPIC_APR         0x090 /* arbitration priority (xAPIC only) */
#define LAPIC_PPR         0x0a0 /* processor priority */
#define LAPIC_EOI         0x0b0 /* end of interrupt */
#define LAPIC_RRD         0x0c0 /* remote read (xAPIC only; reads 0) */
#define LAPIC_LDR         0x0d0 /* logical destination */
#define LAPIC_DFR         0x0e0 /* destination format (xAPIC only) */
#define LAPIC_SVR         0x0f0 /* spurious interrupt vector */
#define LAPIC_ISR         0x100 /* in-service, 8 registers */
#define LAPIC_TMR         0x180 /* trigger mode, 8 registers */
#define LAPIC_IRR         0x200 /* interrupt request, 8 registers */
#define LAPIC_ESR         0x280 /* error status */
#define LAPIC_LVT_CMCI    0x2f0 /* corrected machine-check interrupt */
#define LAPIC_ICR_LO      0x300 /* interrupt command, low half */
#define LAPIC_ICR_HI      0x310 /* interrupt command, high half (xAPIC only) */
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PMC     0x340
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_ICR   0x380 /* timer initial count */
#define LAPIC_TIMER_CCR   0x390 /* timer current count */
#define LAPIC_TIMER_DCR   0x3e0 /* timer divide configuration */
#define LAPIC_SELF_IPI    0x3f0 /* x2APIC only: MSR 0x83f */

#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST  0x8ff
#define X2APIC_MSR(off)  (MSR_X2APIC_FIRST + ((off) >> 4))

/* IA32_APIC_BASE (11.4.4) */
#define APIC_BASE_BSP  (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN   (1ull << 11) /* global enable */
#define APIC_BASE_ADDR (~0xfffull)

#define XAPIC_MAX_ID 0xff /* IDs from here on exist only in x2APIC mode */

#define LAPIC_VERSION_ID   PLAT_LAPIC_VERSION /* integrated APIC, as QEMU and KVM report */
#define LAPIC_VERSION_EOIS (1u << 24) /* EOI-broadcast suppression supported */

/* DFR (11.6.2.2) */
#define DFR_MODEL(d) ((d) >> 28)
#define DFR_FLAT     0xfu /* flat model; 0 is the cluster model */

/* x2APIC LDR (11.12.10.2): cluster in bits 31:16, one bit of 16 in bits 15:0 */
#define X2APIC_LDR_CLUSTER(l) ((l) >> 16)
#define X2APIC_LDR_BITS(l)    ((l)&0xffff)

/* SVR (11.9) */
#define SVR_VECTOR 0xffu
#define SVR_ENABLE (1u << 8)  /* APIC software enable */
#define SVR_FOCUS  (1u << 9)  /* focus processor checking disabled (not modelled) */
#define SVR_EOIS   (1u << 12) /* suppress EOI broadcasts */

/* LVT entries (11.5.1 Figure 11-8) */
#define LVT_VECTOR         0xffu
#define LVT_MODE(v)        (((v) >> 8) & 7)
#define LVT_PENDING        (1u << 12) /* delivery status */
#define LVT_ACTIVE_LOW     (1u << 13) /* LINT pin polarity */
#define LVT_REMOTE_IRR     (1u << 14) /* LINT, level-triggered fixed */
#define LVT_LEVEL          (1u << 15) /* LINT trigger mode */
#define LVT_MASKED         (1u << 16)
#define LVT_TIMER_MODE     (3u << 17)
#define LVT_TIMER_ONESHOT  (0u << 17)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_DEADLINE (2u << 17)

/* ICR (11.6.1 Figure 11-12) */
#define ICR_VECTOR  0xffu
#define ICR_MODE(v) (((v) >> 8) & 7)
#define ICR_LOGICAL (1u << 11)
#define ICR_PENDING (1u << 12) /* delivery status: always idle, delivery is synchronous */
#define ICR_ASSERT  (1u << 14)
#define ICR_LEVEL   (1u << 15)
#define ICR_SH(v)   (((v) >> 18) & 3)
#define ICR_LO_MASK 0x000ccfffu /* the writable bits of the low half */

/* ESR (11.5.3 Figure 11-9) */
#define ESR_SEND_CHECKSUM    (1u << 0)
#define ESR_RECV_CHECKSUM    (1u << 1)
#define ESR_SEND_ACCEPT      (1u << 2)
#define ESR_RECV_ACCEPT      (1u << 3)
#define ESR_REDIRECTABLE_IPI (1u << 4)
#define ESR_SEND_ILLEGAL_VEC (1u << 5)
#define ESR_RECV_ILLEGAL_VEC (1u << 6)
#define ESR_ILLEGAL_REG      (1u << 7)

/* the LVT in index order */
enum lapic_lvt {
    LVT_CMCI,
    LVT_TIMER,
    LVT_THERMAL,
    LVT_PMC,
    LVT_LINT0,
    LVT_LINT1,
    LVT_ERROR,
    LVT_COUNT
};

/* the event word */
#define LAPIC_EV_INTR           (1u << 0)
#define LAPIC_EV_NMI            (1u << 1)
#define LAPIC_EV_INIT           (1u << 2)
#define LAPIC_EV_SIPI           (1u << 3)
#define LAPIC_EV_EXTINT         (1u << 4)
#define LAPIC_EV_SIPI_SHIFT     8
#define LAPIC_EV_SIPI_MASK      (0xffu << LAPIC_EV_SIPI_SHIFT)
#define LAPIC_EV_SIPI_VECTOR(e) (((e) >> LAPIC_EV_SIPI_SHIFT) & 0xff)
#define LAPIC_EV_MACHINE        0xffff0000u

/* errors the CPU turns into exceptions */
#define LAPIC_OK 0
#define LAPIC_GP (-1) /* raise #GP(0) */

enum lapic_mode { LAPIC_DISABLED, LAPIC_XAPIC, LAPIC_X2APIC };

struct lapic_config {
    unsigned index;     /* vCPU index; 0 is the BSP */
    uint32_t apic_id;   /* initial APIC ID (the x2APIC ID; xAPIC uses bits 7:0) */
    unsigned phys_bits; /* MAXPHYADDR, for IA32_APIC_BASE's reserved bits */
    uint64_t timer_hz;  /* the timer's input clock, before the divider */
    const struct clock *clock;
    struct intr *intr;
    void (*kick)(void *opaque, unsigned index); /* wake vCPU index (host_kick) */
    void *kick_opaque;
    /* the xAPIC MMIO page moved or (on=false) went away; the machine remaps its bus_local */
    void (*map)(void *opaque, unsigned index, uint64_t base, bool on);
    void *map_opaque;
    /* this vCPU's TSC minus the machine clock (its IA32_TSC and TSC_ADJUST
     * writes), read by the owner only; NULL: 0. IA32_TSC_DEADLINE is compared
     * with the vCPU's own TSC (11.5.4.1) */
    const uint64_t *tsc_offset;
};

struct lapic {
    struct lapic_config cfg;

    /* changed by other threads, atomically */
    uint32_t irr[8], tmr[8];
    uint32_t events;
    uint32_t esr_pending;    /* errors since the last ESR write */
    uint32_t lvt[LVT_COUNT]; /* the owner writes; LINT remote IRR is set remotely */
    uint8_t lint_asserted;   /* LINT pins as last seen, after polarity */

    /* owned by this vCPU, published with atomic stores for the routers */
    uint64_t apic_base;
    uint32_t id; /* xAPIC: ID[31:24] as a number; x2APIC: the x2APIC ID */
    uint32_t ldr, dfr, svr, tpr;
    uint32_t isr[8];

    /* owned by this vCPU only */
    uint64_t addr_mask; /* (1 << MAXPHYADDR) - 1 */
    uint32_t esr;       /* as read, latched by the last ESR write */
    uint32_t icr_lo, icr_hi;
    uint32_t timer_initial, timer_dcr;
    uint64_t timer_start; /* guest tick at which the count was timer_start_count */
    uint32_t timer_start_count;
    uint64_t timer_next;   /* next expiry, guest ticks, or CLOCK_NEVER */
    uint64_t tsc_deadline; /* IA32_TSC_DEADLINE, 0 when disarmed */
};

/* power-up state (11.4.7.1): the BSP flag only for index 0, LINT0 ExtINT on the BSP */
void lapic_init(struct lapic *l, const struct lapic_config *cfg);
/* the state after INIT (11.4.7.3): as power-up, but ID and IA32_APIC_BASE are kept */
void lapic_init_reset(struct lapic *l);

enum lapic_mode lapic_mode(const struct lapic *l);

/* the xAPIC MMIO page; the machine maps it with bus_map_local() as cfg.map says */
extern const struct io_ops lapic_mmio_ops;
uint64_t lapic_mmio_read(void *opaque, uint64_t offset, unsigned size);
void lapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

/*
 * RDMSR/WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE and 0x800-0x8ff:
 * LAPIC_OK, or LAPIC_GP for the CPU to raise #GP(0). Returns LAPIC_GP too for
 * an MSR that is not the LAPIC's.
 */
int lapic_rdmsr(struct lapic *l, uint32_t msr, uint64_t *value);
int lapic_wrmsr(struct lapic *l, uint32_t msr, uint64_t value);
bool lapic_owns_msr(uint32_t msr);

/* ---- the CPU's side ---- */
uint32_t lapic_events(const struct lapic *l);
/* atomically clear the bits of mask (with SIPI, its vector too) and return the old word */
uint32_t lapic_take_events(struct lapic *l, uint32_t mask);
/* the highest IRR vector that PPR lets through, or -1 (11.8.3.1) */
int lapic_pending(struct lapic *l);
/* INTA: move that vector from IRR to ISR and return it; -1 if none (clears LAPIC_EV_INTR) */
int lapic_ack(struct lapic *l);
/* the vector a spurious INTA returns (SVR[7:0], 11.9) */
uint8_t lapic_spurious_vector(const struct lapic *l);
uint32_t lapic_ppr(const struct lapic *l);
/* MOV to/from CR8 (SDM Vol 3A 11.8.6): CR8[3:0] is TPR[7:4] */
uint64_t lapic_read_cr8(const struct lapic *l);
void lapic_write_cr8(struct lapic *l, uint64_t value);

/* ---- time ---- */
/* fire the timer if its time has come; the owner calls this at deadlines */
void lapic_timer_poll(struct lapic *l);
/* the next timer expiry in guest ticks (machine clock), CLOCK_NEVER if none */
uint64_t lapic_next_deadline(const struct lapic *l);
/* where the vCPU's TSC offset lives (lapic_config.tsc_offset); owner thread, before it runs */
void lapic_set_tsc_offset(struct lapic *l, const uint64_t *tsc_offset);

/* ---- other sources ---- */
/* a LINT pin (0 or 1) changed level; an irq_line handler, opaque is the lapic */
void lapic_set_lint(void *opaque, unsigned pin, int level);
/* a local source raised its LVT entry: thermal, PMC, CMCI (the timer and errors do so themselves)
 */
void lapic_raise_lvt(struct lapic *l, enum lapic_lvt which);
/* set machine bits (LAPIC_EV_MACHINE) in the event word and kick */
void lapic_post_events(struct lapic *l, uint32_t bits);

/* ---- for emu/intr.c only: accept one message (set IRR, or an event bit) and kick ---- */
void lapic_deliver(struct lapic *l, unsigned mode, uint8_t vector, bool level);
/* routing views, safe from any thread */
bool lapic_route_enabled(const struct lapic *l);    /* globally enabled */
bool lapic_route_sw_enabled(const struct lapic *l); /* and SVR-enabled */
bool lapic_route_x2apic(const struct lapic *l);
uint32_t lapic_route_id(const struct lapic *l);
uint32_t lapic_route_ldr(const struct lapic *l);
uint32_t lapic_route_dfr(const struct lapic *l);
uint32_t lapic_apr(const struct lapic *l); /* arbitration priority (11.8.2) */

#endif
