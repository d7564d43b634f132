/*
 * rtc.c: the MC146818A RTC and CMOS (see rtc.h).
 */
#include "emu/dev/rtc.h"

#include "emu/platform.h"

#include <string.h>

#define SECS_PER_DAY   86400
#define RTC_BASE_HZ    32768
#define MAX_ALARM_SCAN SECS_PER_DAY /* an alarm matches at least daily, if at all */

/* H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian) */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void rtc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static uint8_t to_bcd(const struct rtc *r, unsigned v)
{
    return r->cmos[RTC_REG_B] & REG_B_DM ? (uint8_t)v : (uint8_t)((v / 10) << 4 | (v % 10));
}

static unsigned from_bcd(const struct rtc *r, uint8_t v)
{
    return r->cmos[RTC_REG_B] & REG_B_DM ? v : (v >> 4) * 10 + (v & 0xf);
}

static uint8_t hours_out(const struct rtc *r, unsigned h)
{
    if (r->cmos[RTC_REG_B] & REG_B_24H)
        return to_bcd(r, h);
    unsigned h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(to_bcd(r, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned hours_in(const struct rtc *r, uint8_t v)
{
    if (r->cmos[RTC_REG_B] & REG_B_24H)
        return from_bcd(r, v);
    unsigned h = from_bcd(r, v & 0x7f) % 12;
    return v & 0x80 ? h + 12 : h;
}

/* wall-clock seconds at guest tick t (frozen at base while SET is on) */
static int64_t seconds_at(const struct rtc *r, uint64_t t)
{
    if (r->cmos[RTC_REG_B] & REG_B_SET || t <= r->base_tick)
        return r->base_seconds;
    return r->base_seconds + (int64_t)((t - r->base_tick) / r->clock->hz);
}

/* the guest tick at which second s begins */
static uint64_t tick_of_second(const struct rtc *r, int64_t s)
{
    return r->base_tick + (uint64_t)(s - r->base_seconds) * r->clock->hz;
}

/* the time registers from a wall-clock time */
static void store_time(struct rtc *r, int64_t secs)
{
    int64_t days = secs >= 0 ? secs / SECS_PER_DAY : (secs - SECS_PER_DAY + 1) / SECS_PER_DAY;
    unsigned sod = (unsigned)(secs - days * SECS_PER_DAY), m, d;
    int64_t y;
    rtc_civil_from_days(days, &y, &m, &d);
    r->cmos[RTC_SECONDS] = to_bcd(r, sod % 60);
    r->cmos[RTC_MINUTES] = to_bcd(r, sod / 60 % 60);
    r->cmos[RTC_HOURS] = hours_out(r, sod / 3600);
    r->cmos[RTC_DAY_OF_WEEK] =
        to_bcd(r, (unsigned)((days % 7 + 7 + 4) % 7) + 1); /* 1970-01-01: Thursday = 5 */
    r->cmos[RTC_DAY_OF_MONTH] = to_bcd(r, d);
    r->cmos[RTC_MONTH] = to_bcd(r, m);
    r->cmos[RTC_YEAR] = to_bcd(r, (unsigned)(y % 100));
    r->cmos[RTC_CENTURY] = to_bcd(r, (unsigned)(y / 100 % 100));
}

/* the wall-clock time the registers say */
static int64_t load_time(const struct rtc *r)
{
    int64_t y = from_bcd(r, r->cmos[RTC_CENTURY]) * 100 + from_bcd(r, r->cmos[RTC_YEAR]);
    unsigned m = from_bcd(r, r->cmos[RTC_MONTH]), d = from_bcd(r, r->cmos[RTC_DAY_OF_MONTH]);
    if (m < 1 || m > 12)
        m = 1; /* garbage in the registers must not take the clock anywhere strange */
    if (d < 1 || d > 31)
        d = 1;
    int64_t days = rtc_days_from_civil(y, m, d);
    return days * SECS_PER_DAY + hours_in(r, r->cmos[RTC_HOURS]) % 24 * 3600 +
           from_bcd(r, r->cmos[RTC_MINUTES]) % 60 * 60 + from_bcd(r, r->cmos[RTC_SECONDS]) % 60;
}

/* register A's periodic rate in guest ticks, 0 when off (datasheet Table 5) */
static uint64_t period_ticks(const struct rtc *r)
{
    unsigned rs = r->cmos[RTC_REG_A] & REG_A_RS;
    if (!rs || (r->cmos[RTC_REG_A] & REG_A_DV) != REG_A_DV_NORMAL)
        return 0;
    if (rs <= 2)
        rs += 7; /* 0001b, 0010b: 256 Hz and 128 Hz, as 1000b and 1001b */
    return muldiv64(r->clock->hz, 1u << (rs - 1), RTC_BASE_HZ);
}

static bool alarm_matches(const struct rtc *r, int64_t secs)
{
    int64_t days = secs >= 0 ? secs / SECS_PER_DAY : (secs - SECS_PER_DAY + 1) / SECS_PER_DAY;
    unsigned sod = (unsigned)(secs - days * SECS_PER_DAY);
    uint8_t sa = r->cmos[RTC_SECONDS_ALARM], ma = r->cmos[RTC_MINUTES_ALARM];
    uint8_t ha = r->cmos[RTC_HOURS_ALARM];
    return ((sa & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE || from_bcd(r, sa) == sod % 60) &&
           ((ma & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE ||
            from_bcd(r, ma) == sod / 60 % 60) &&
           ((ha & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE || hours_in(r, ha) == sod / 3600);
}

static void update_irq(struct rtc *r)
{
    uint8_t c = r->cmos[RTC_REG_C], b = r->cmos[RTC_REG_B];
    bool on = ((c & REG_C_PF) && (b & REG_B_PIE)) || ((c & REG_C_AF) && (b & REG_B_AIE)) ||
              ((c & REG_C_UF) && (b & REG_B_UIE));
    if (on)
        r->cmos[RTC_REG_C] |= REG_C_IRQF;
    irq_set(&r->irq, on);
}

/* set the flags of everything that happened in (seen_tick, now] */
static void catch_up(struct rtc *r, uint64_t now)
{
    if (now <= r->seen_tick)
        return;
    uint64_t period = period_ticks(r);
    if (period && (now - r->base_tick) / period != (r->seen_tick - r->base_tick) / period)
        r->cmos[RTC_REG_C] |= REG_C_PF;
    if (!(r->cmos[RTC_REG_B] & REG_B_SET)) {
        int64_t from = seconds_at(r, r->seen_tick), to = seconds_at(r, now);
        if (to > from) {
            r->cmos[RTC_REG_C] |= REG_C_UF;
            int64_t first = to - from > MAX_ALARM_SCAN ? to - MAX_ALARM_SCAN : from + 1;
            for (int64_t s = first; s <= to; s++)
                if (alarm_matches(r, s)) {
                    r->cmos[RTC_REG_C] |= REG_C_AF;
                    break;
                }
        }
    }
    r->seen_tick = now;
    update_irq(r);
}

/* the clock's own registers: brought up to date before any access */
static bool is_time_reg(unsigned index)
{
    switch (index) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        return true;
    default:
        return false;
    }
}

static uint8_t reg_read(struct rtc *r, unsigned index, uint64_t now)
{
    uint8_t v;
    if (is_time_reg(index)) {
        if (!(r->cmos[RTC_REG_B] & REG_B_SET))
            store_time(r, seconds_at(r, now));
        return r->cmos[index];
    }
    switch (index) {
    case RTC_REG_A: {
        v = r->cmos[RTC_REG_A] & ~REG_A_UIP;
        uint64_t into = (now - r->base_tick) % r->clock->hz;
        if (!(r->cmos[RTC_REG_B] & REG_B_SET) &&
            into >= r->clock->hz - muldiv64(r->clock->hz, RTC_UIP_US, 1000000))
            v |= REG_A_UIP;
        return v;
    }
    case RTC_REG_C:
        v = r->cmos[RTC_REG_C];
        r->cmos[RTC_REG_C] = 0;
        irq_set(&r->irq, 0);
        return v;
    default:
        return r->cmos[index];
    }
}

static void reg_write(struct rtc *r, unsigned index, uint8_t v, uint64_t now)
{
    if (is_time_reg(index)) {
        if (!(r->cmos[RTC_REG_B] & REG_B_SET))
            store_time(r, seconds_at(r, now));
        r->cmos[index] = v;
        if (!(r->cmos[RTC_REG_B] & REG_B_SET)) {
            /* XXX: as QEMU, a write while running sets the clock at once */
            r->base_seconds = load_time(r);
            r->base_tick = r->seen_tick = now;
        }
        return;
    }
    switch (index) {
    case RTC_REG_A:
        r->cmos[RTC_REG_A] = v & ~REG_A_UIP;
        return;
    case RTC_REG_B: {
        bool was_set = r->cmos[RTC_REG_B] & REG_B_SET;
        if (!was_set && (v & REG_B_SET))
            store_time(r, seconds_at(r, now)); /* freeze the registers */
        if (v & REG_B_SET)
            v &= ~REG_B_UIE; /* datasheet: SET clears UIE */
        r->cmos[RTC_REG_B] = v;
        if (was_set && !(v & REG_B_SET)) {
            r->base_seconds = load_time(r);
            r->base_tick = r->seen_tick = now;
        }
        update_irq(r);
        return;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        return; /* read-only */
    default:
        r->cmos[index] = v;
        return;
    }
}

static uint64_t rtc_read(void *opaque, uint64_t offset, unsigned size)
{
    struct rtc *r = opaque;
    (void)size;
    if (offset == 0)
        return 0xff; /* the index port is write-only */
    spin_lock(&r->lock);
    uint64_t now = clock_now(r->clock);
    catch_up(r, now);
    uint8_t v = reg_read(r, r->index, now);
    spin_unlock(&r->lock);
    return v;
}

static void rtc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct rtc *r = opaque;
    (void)size;
    spin_lock(&r->lock);
    if (offset == 0) {
        r->index = value & RTC_INDEX_MASK;
        r->nmi_masked = value & RTC_NMI_DISABLE;
    } else {
        uint64_t now = clock_now(r->clock);
        catch_up(r, now);
        reg_write(r, r->index, (uint8_t)value, now);
    }
    spin_unlock(&r->lock);
}

const struct io_ops rtc_ops = {rtc_read, rtc_write};

int rtc_register(struct rtc *r, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_RTC, 2, &rtc_ops, r);
}

void rtc_cmos_set(struct rtc *r, unsigned index, uint8_t value)
{
    if (index > RTC_REG_D && index < RTC_CMOS_SIZE && index != RTC_CENTURY) {
        spin_lock(&r->lock);
        r->cmos[index] = value;
        spin_unlock(&r->lock);
    }
}

bool rtc_nmi_masked(struct rtc *r)
{
    spin_lock(&r->lock);
    bool m = r->nmi_masked;
    spin_unlock(&r->lock);
    return m;
}

void rtc_poll(struct rtc *r)
{
    spin_lock(&r->lock);
    catch_up(r, clock_now(r->clock));
    spin_unlock(&r->lock);
}

/* the next tick at which an enabled interrupt's flag would rise */
uint64_t rtc_next_deadline(struct rtc *r)
{
    uint64_t next = CLOCK_NEVER;
    spin_lock(&r->lock);
    uint8_t b = r->cmos[RTC_REG_B];
    uint64_t period = period_ticks(r), seen = r->seen_tick;
    if ((b & REG_B_PIE) && period)
        next = r->base_tick + ((seen - r->base_tick) / period + 1) * period;
    if ((b & (REG_B_UIE | REG_B_AIE)) && !(b & REG_B_SET)) {
        uint64_t sec = tick_of_second(r, seconds_at(r, seen) + 1);
        if (sec < next)
            next = sec;
    }
    spin_unlock(&r->lock);
    return next;
}

void rtc_init(struct rtc *r, const struct clock *clock, struct irq_line irq, int64_t unix_seconds)
{
    memset(r, 0, sizeof *r);
    r->clock = clock;
    r->irq = irq;
    r->cmos[RTC_REG_A] = REG_A_DV_NORMAL | 0x6; /* 1024 Hz, as PC BIOSes leave it */
    r->cmos[RTC_REG_B] = REG_B_24H;
    r->cmos[RTC_REG_D] = REG_D_VRT;
    r->base_seconds = unix_seconds;
    r->base_tick = r->seen_tick = clock_now(clock);
    store_time(r, unix_seconds);
}
