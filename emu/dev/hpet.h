/*
 * emu/dev/hpet.h: the HPET at 0xfed00000: a 64-bit main counter at 100 MHz
 * and three comparators, one-shot or periodic, edge or level, routed to the
 * IOAPIC, in legacy-replacement mode to ISA IRQ 0 and 8, or by FSB (MSI).
 *
 * Follows the IA-PC HPET specification 1.0a (sections cited are its); the
 * model is QEMU's hw/timer/hpet.c (10 ns period, interrupt capability
 * 0x00ff0104: GSI 2, 8 and 16-23). The counter is a function of the
 * machine clock; the owner calls hpet_poll() at hpet_next_deadline().
 *
 * Outputs: `isa` (an ISA IRQ line handler, for legacy replacement: timer 0 on
 * IRQ 0, timer 1 on IRQ 8), `gsi` (an IOAPIC pin handler, for Tn_INT_ROUTE),
 * and msi_deliver() on `intr` for FSB delivery. legacy() tells the machine
 * when legacy replacement starts or stops, to silence the PIT and RTC.
 *
 * Locking: one spinlock; outputs are driven under it.
 */
#ifndef BAREMU_HPET_H
#define BAREMU_HPET_H

#include "emu/bus.h"
#include "emu/clock.h"
#include "emu/intr.h"
#include "emu/lock.h"
#include "emu/platform.h"

#include <stdint.h>

#define HPET_HZ        100000000ull /* 10 ns per tick, as QEMU */
#define HPET_PERIOD_FS 10000000ull  /* the same in femtoseconds, for GCAP_ID */
#define HPET_INTCAP    0x00ff0104u  /* IOAPIC inputs a comparator may use */

/* registers (2.3 Table 2) */
#define HPET_GCAP_ID   0x000
#define HPET_GEN_CONF  0x010
#define HPET_GINTR_STA 0x020
#define HPET_MAIN_CNT  0x0f0
#define HPET_TIMER(n)  (0x100 + 0x20 * (n))
#define HPET_TN_CONF   0x00
#define HPET_TN_CMP    0x08
#define HPET_TN_FSB    0x10

#define GCAP_LEG_RT_CAP    (1ull << 15)
#define GCAP_COUNT_SIZE_64 (1ull << 13)
#define GCAP_NUM_TIM_SHIFT 8
#define GCAP_VENDOR_SHIFT  16
#define GCAP_PERIOD_SHIFT  32

#define CONF_ENABLE (1ull << 0)
#define CONF_LEGACY (1ull << 1)

#define TN_LEVEL       (1ull << 1)
#define TN_INT_ENB     (1ull << 2)
#define TN_PERIODIC    (1ull << 3)
#define TN_PER_CAP     (1ull << 4)
#define TN_SIZE_64     (1ull << 5)
#define TN_VAL_SET     (1ull << 6)
#define TN_32BIT       (1ull << 8)
#define TN_ROUTE_SHIFT 9
#define TN_ROUTE_MASK  (0x1full << TN_ROUTE_SHIFT)
#define TN_FSB_EN      (1ull << 14)
#define TN_FSB_CAP     (1ull << 15)
#define TN_WRITABLE                                                                                \
    (TN_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_32BIT | TN_ROUTE_MASK | TN_FSB_EN)

struct hpet_timer {
    uint64_t config, cmp, period, fsb;
    uint64_t next; /* guest tick of the next match, CLOCK_NEVER */
};

struct hpet {
    struct spinlock lock;
    const struct clock *clock;
    uint64_t config, isr;
    uint64_t counter; /* the main counter at base_tick (all of it while halted) */
    uint64_t base_tick;
    struct hpet_timer t[PLAT_HPET_TIMERS];
    struct irq_line isa, gsi;
    struct intr *intr;
    void (*legacy)(void *opaque, bool on);
    void *legacy_opaque;
};

void hpet_init(struct hpet *h, const struct clock *clock, struct irq_line isa, struct irq_line gsi,
               struct intr *intr);
extern const struct io_ops hpet_ops;
uint64_t hpet_read(void *opaque, uint64_t offset, unsigned size);
void hpet_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
int hpet_register(struct hpet *h, struct bus *bus);

void hpet_poll(struct hpet *h);
uint64_t hpet_next_deadline(struct hpet *h);

#endif
