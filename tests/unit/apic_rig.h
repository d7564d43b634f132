/*
 * apic_rig.h: a small machine for the interrupt-fabric tests: n LAPICs on a
 * fake clock, the routing module, an IOAPIC on the bus, and a record of the
 * kicks each vCPU got. Each LAPIC page is mapped into its vCPU's bus_local,
 * so register accesses go through the bus as a vCPU's would.
 */
#ifndef BAREMU_TESTS_APIC_RIG_H
#define BAREMU_TESTS_APIC_RIG_H

#include "emu/bus.h"
#include "emu/clock.h"
#include "emu/dev/ioapic.h"
#include "emu/dev/lapic.h"
#include "emu/intr.h"
#include "emu/platform.h"
#include "emu/x86.h"

#include <criterion/criterion.h>

#define RIG_MAX_CPUS  8
#define RIG_TSC_HZ    3000000000ull /* 3 GHz guest TSC */
#define RIG_TIMER_HZ  1000000000ull /* 1 GHz LAPIC timer input, as QEMU and KVM */
#define RIG_PHYS_BITS 39

struct rig {
    struct fake_clock clk;
    struct lapic cpu[RIG_MAX_CPUS];
    struct lapic *ptr[RIG_MAX_CPUS];
    struct bus_local local[RIG_MAX_CPUS];
    unsigned kicks[RIG_MAX_CPUS];
    struct intr intr;
    struct ioapic ioapic;
    struct bus bus;
    unsigned n;
};

static inline void rig_kick(void *opaque, unsigned index)
{
    struct rig *r = opaque;
    __atomic_fetch_add(&r->kicks[index], 1, __ATOMIC_RELAXED);
}

static inline void rig_map(void *opaque, unsigned index, uint64_t base, bool on)
{
    struct rig *r = opaque;
    bus_map_local(&r->local[index], base, on ? PLAT_LAPIC_SIZE : 0, &lapic_mmio_ops,
                  &r->cpu[index]);
}

static inline void rig_init(struct rig *r, unsigned n)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    fake_clock_init(&r->clk, RIG_TSC_HZ);
    fake_clock_advance(&r->clk, 1000000); /* not at 0, to catch start-time mistakes */
    bus_init(&r->bus);
    for (unsigned i = 0; i < n; i++)
        r->ptr[i] = &r->cpu[i];
    intr_init(&r->intr, r->ptr, n);
    for (unsigned i = 0; i < n; i++) {
        struct lapic_config cfg = {
            .index = i,
            .apic_id = i,
            .phys_bits = RIG_PHYS_BITS,
            .timer_hz = RIG_TIMER_HZ,
            .clock = &r->clk.clock,
            .intr = &r->intr,
            .kick = rig_kick,
            .kick_opaque = r,
            .map = rig_map,
            .map_opaque = r,
        };
        lapic_init(&r->cpu[i], &cfg);
    }
    ioapic_init(&r->ioapic, &r->intr, (uint8_t)n);
    cr_assert_eq(bus_register_mmio(&r->bus, PLAT_IOAPIC_BASE, PLAT_IOAPIC_SIZE, &ioapic_mmio_ops,
                                   &r->ioapic),
                 0);
}

/* vCPU cpu's LAPIC register access, through its bus_local */
static inline void rig_wr(struct rig *r, unsigned cpu, uint32_t off, uint32_t value)
{
    bus_mmio_write(&r->bus, &r->local[cpu], PLAT_LAPIC_BASE + off, value, 4);
}

static inline uint32_t rig_rd(struct rig *r, unsigned cpu, uint32_t off)
{
    return (uint32_t)bus_mmio_read(&r->bus, &r->local[cpu], PLAT_LAPIC_BASE + off, 4);
}

static inline void rig_sw_enable(struct rig *r, unsigned cpu)
{
    rig_wr(r, cpu, LAPIC_SVR, SVR_ENABLE | 0xff);
}

static inline void rig_sw_enable_all(struct rig *r)
{
    for (unsigned i = 0; i < r->n; i++)
        rig_sw_enable(r, i);
}

/* the xAPIC ICR: destination first, then the low half, which sends */
static inline void rig_ipi(struct rig *r, unsigned cpu, uint8_t dest, uint32_t lo)
{
    rig_wr(r, cpu, LAPIC_ICR_HI, (uint32_t)dest << 24);
    rig_wr(r, cpu, LAPIC_ICR_LO, lo);
}

static inline bool vec_in(const uint32_t *v, unsigned n)
{
    return __atomic_load_n(&v[n / 32], __ATOMIC_ACQUIRE) & (1u << (n % 32));
}

/* IRR, TMR, ISR bits, read from the state (any mode) */
static inline bool rig_irr(struct rig *r, unsigned cpu, unsigned vector)
{
    return vec_in(r->cpu[cpu].irr, vector);
}

static inline bool rig_tmr(struct rig *r, unsigned cpu, unsigned vector)
{
    return vec_in(r->cpu[cpu].tmr, vector);
}

static inline bool rig_isr(struct rig *r, unsigned cpu, unsigned vector)
{
    return vec_in(r->cpu[cpu].isr, vector);
}

/* which vCPUs have vector in IRR, as a bit mask */
static inline unsigned rig_irr_mask(struct rig *r, unsigned vector)
{
    unsigned m = 0;
    for (unsigned i = 0; i < r->n; i++)
        if (vec_in(r->cpu[i].irr, vector))
            m |= 1u << i;
    return m;
}

static inline int rig_x2apic(struct rig *r, unsigned cpu)
{
    return lapic_wrmsr(&r->cpu[cpu], MSR_APIC_BASE,
                       PLAT_LAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD |
                           (cpu == 0 ? APIC_BASE_BSP : 0));
}

/* IOAPIC registers through the bus */
static inline void rig_io_wr(struct rig *r, uint32_t reg, uint32_t value)
{
    bus_mmio_write(&r->bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOREGSEL, reg, 4);
    bus_mmio_write(&r->bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOWIN, value, 4);
}

static inline uint32_t rig_io_rd(struct rig *r, uint32_t reg)
{
    bus_mmio_write(&r->bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOREGSEL, reg, 4);
    return (uint32_t)bus_mmio_read(&r->bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOWIN, 4);
}

static inline void rig_redir(struct rig *r, unsigned pin, uint64_t entry)
{
    rig_io_wr(r, IOAPIC_REG_REDTBL + 2 * pin + 1, (uint32_t)(entry >> 32));
    rig_io_wr(r, IOAPIC_REG_REDTBL + 2 * pin, (uint32_t)entry);
}

static inline uint64_t rig_redir_rd(struct rig *r, unsigned pin)
{
    return rig_io_rd(r, IOAPIC_REG_REDTBL + 2 * pin) |
           (uint64_t)rig_io_rd(r, IOAPIC_REG_REDTBL + 2 * pin + 1) << 32;
}

#endif
