/*
 * emu/dev/rtc.h: the MC146818A real-time clock and its CMOS RAM, ports
 * 0x70 (index; bit 7 masks NMI) and 0x71 (data), IRQ 8.
 *
 * Follows the Motorola MC146818A datasheet; the model is QEMU's
 * hw/rtc/mc146818rtc.c. Time runs on the machine clock from a wall-clock
 * time given at init (the host's, at boot). Periodic (register A rate),
 * alarm and update-ended interrupts set their flags in register C whether
 * or not they are enabled; reading C clears them and drops IRQ 8. Flags are
 * worked out from the clock on every access, so a late poll loses nothing
 * but coalesces; the owner calls rtc_poll() at rtc_next_deadline() so an
 * enabled interrupt is raised on time.
 *
 * Locking: one spinlock.
 */
#ifndef BAREMU_RTC_H
#define BAREMU_RTC_H

#include "emu/bus.h"
#include "emu/clock.h"
#include "emu/lock.h"
#include "emu/platform.h"

#include <stdint.h>

#define RTC_CMOS_SIZE   128
#define RTC_INDEX_MASK  0x7f
#define RTC_NMI_DISABLE 0x80

/* registers (datasheet Figure 3 and Table 3) */
#define RTC_SECONDS       0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES       0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS         0x04
#define RTC_HOURS_ALARM   0x05
#define RTC_DAY_OF_WEEK   0x06
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH         0x08
#define RTC_YEAR          0x09
#define RTC_REG_A         0x0a
#define RTC_REG_B         0x0b
#define RTC_REG_C         0x0c
#define RTC_REG_D         0x0d
#define RTC_CENTURY       PLAT_CMOS_CENTURY /* the FADT CENTURY field points here */

#define REG_A_UIP           0x80 /* update in progress */
#define REG_A_DV            0x70 /* divider: 010b is the 32.768 kHz time base */
#define REG_A_DV_NORMAL     0x20
#define REG_A_RS            0x0f /* periodic rate */
#define REG_B_SET           0x80
#define REG_B_PIE           0x40
#define REG_B_AIE           0x20
#define REG_B_UIE           0x10
#define REG_B_SQWE          0x08
#define REG_B_DM            0x04 /* binary, not BCD */
#define REG_B_24H           0x02
#define REG_B_DSE           0x01
#define REG_C_IRQF          0x80
#define REG_C_PF            0x40
#define REG_C_AF            0x20
#define REG_C_UF            0x10
#define REG_D_VRT           0x80
#define RTC_ALARM_DONT_CARE 0xc0 /* alarm bytes 11xxxxxx match anything */

#define RTC_UIP_US 244 /* UIP is set this long before each update */

struct rtc {
    struct spinlock lock;
    const struct clock *clock;
    struct irq_line irq;
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    bool nmi_masked;
    int64_t base_seconds; /* wall-clock seconds (Unix time) at base_tick */
    uint64_t base_tick;   /* guest ticks */
    uint64_t seen_tick;   /* flags are worked out up to here */
};

/* unix_seconds: the wall-clock time now */
void rtc_init(struct rtc *r, const struct clock *clock, struct irq_line irq, int64_t unix_seconds);
extern const struct io_ops rtc_ops;
int rtc_register(struct rtc *r, struct bus *bus);

/* the firmware's CMOS bytes (memory size, boot order); index >= 0x0e */
void rtc_cmos_set(struct rtc *r, unsigned index, uint8_t value);
/* is NMI masked by port 0x70 bit 7 */
bool rtc_nmi_masked(struct rtc *r);

void rtc_poll(struct rtc *r);
uint64_t rtc_next_deadline(struct rtc *r);

/* calendar helpers, exported for the tests: days since 1970-01-01 <-> y/m/d */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d);
void rtc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
