/*
 * pit.c: the 8254 PIT and port 0x61 (see pit.h).
 */
#include "emu/dev/pit.h"

#include "emu/platform.h"

#include <string.h>

/* read/write states (the RW field of the control word, and the two halves of a word) */
enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD0, RW_WORD1 };

#define MAX_CATCH_UP 64 /* transitions replayed by one poll; further behind, skip ahead */

/* modes in which a low gate stops the count (datasheet, "Mode definitions"): 0, 2, 3, 4 */
static bool gate_holds(const struct pit_channel *c)
{
    return !c->gate && c->mode != 1 && c->mode != 5;
}

/* PIT ticks counted by now; none since the gate fell, while it holds the count */
static uint64_t pit_ticks(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
    if (gate_holds(c) && now > c->gate_low_at)
        now = c->gate_low_at;
    return now <= c->load_time ? 0 : muldiv64(now - c->load_time, PIT_HZ, p->clock->hz);
}

static uint64_t pit_time(const struct pit *p, const struct pit_channel *c, uint64_t ticks)
{
    return c->load_time + muldiv64_up(ticks, p->clock->hz, PIT_HZ);
}

/* the counting element (datasheet, "Operation"); XXX: BCD counting is not modelled */
static uint32_t get_count(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
    if (!c->count)
        return 0;
    uint64_t d = pit_ticks(p, c, now);
    switch (c->mode) {
    case 0:
    case 1:
    case 4:
    case 5:
        return (uint32_t)((c->count - d) & 0xffff);
    case 3: /* counts down by two */
        return (uint32_t)(c->count - ((2 * d) % c->count));
    default:
        return (uint32_t)(c->count - (d % c->count));
    }
}

/* OUT at time now (datasheet, "Mode definitions") */
static bool get_out(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
    if (!c->count)
        return c->mode != 0; /* a new control word: mode 0 starts low, the rest high */
    if (gate_holds(c) && (c->mode == 2 || c->mode == 3))
        return true; /* a low gate sets OUT high at once in modes 2 and 3 */
    uint64_t d = pit_ticks(p, c, now);
    switch (c->mode) {
    default:
    case 0: /* interrupt on terminal count */
        return d >= c->count;
    case 1: /* hardware one-shot */
        return d < c->count;
    case 2: /* rate generator: low for the one clock the count is 1 */
        return d % c->count != c->count - 1;
    case 3: /* square wave */
        return d % c->count < (c->count + 1) / 2;
    case 4: /* software strobe: a one-clock low pulse at terminal count */
    case 5:
        return d != c->count;
    }
}

/* the PIT tick after d at which OUT next changes, or CLOCK_NEVER */
static uint64_t next_transition(const struct pit_channel *c, uint64_t d)
{
    uint64_t base = d / c->count * c->count, half = (c->count + 1) / 2;
    switch (c->mode) {
    default:
    case 0:
    case 1:
        return d < c->count ? c->count : CLOCK_NEVER;
    case 2:
        return d - base < c->count - 1 ? base + c->count - 1 : base + c->count;
    case 3:
        return d - base < half ? base + half : base + c->count;
    case 4:
    case 5:
        if (d < c->count)
            return c->count;
        return d == c->count ? c->count + 1 : CLOCK_NEVER;
    }
}

/* recompute channel c's next transition after time now */
static void rearm(struct pit *p, struct pit_channel *c, uint64_t now)
{
    c->next = CLOCK_NEVER;
    if (!c->count || gate_holds(c))
        return;
    uint64_t t = next_transition(c, pit_ticks(p, c, now));
    if (t != CLOCK_NEVER)
        c->next = pit_time(p, c, t);
}

static void drive(struct pit *p, unsigned ch, bool out)
{
    struct pit_channel *c = &p->ch[ch];
    c->out = out;
    if (ch == 0)
        irq_set(&p->irq0, out);
}

/* replay channel 0's transitions up to now, so no edge is lost */
static void catch_up(struct pit *p, uint64_t now)
{
    struct pit_channel *c = &p->ch[0];
    for (unsigned i = 0; c->next != CLOCK_NEVER && c->next <= now; i++) {
        uint64_t t = i < MAX_CATCH_UP ? c->next : now;
        drive(p, 0, get_out(p, c, t));
        rearm(p, c, t);
        if (t == now)
            break;
    }
}

static void load_count(struct pit *p, struct pit_channel *c, uint32_t value, uint64_t now)
{
    c->count = value ? value : 0x10000;
    c->load_time = now;
    drive(p, (unsigned)(c - p->ch), get_out(p, c, now));
    rearm(p, c, now);
}

static void latch_count(struct pit *p, struct pit_channel *c, uint64_t now)
{
    if (!c->count_latched) {
        c->latched_count = (uint16_t)get_count(p, c, now);
        c->count_latched = c->rw_mode;
    }
}

static void control_write(struct pit *p, uint8_t val, uint64_t now)
{
    unsigned ch = val >> 6;
    if (ch == 3) {
        /* read-back command: bit 5 clear latches counts, bit 4 clear latches status */
        for (unsigned i = 0; i < PIT_CHANNELS; i++) {
            struct pit_channel *c = &p->ch[i];
            if (!(val & (2u << i)))
                continue;
            if (!(val & 0x20))
                latch_count(p, c, now);
            if (!(val & 0x10) && !c->status_latched) {
                c->status = (uint8_t)(get_out(p, c, now) << 7 | (c->count ? 0 : 0x40) |
                                      c->rw_mode << 4 | c->mode << 1 | c->bcd);
                c->status_latched = true;
            }
        }
        return;
    }
    struct pit_channel *c = &p->ch[ch];
    unsigned access = (val >> 4) & 3;
    if (access == RW_LATCH) {
        latch_count(p, c, now);
        return;
    }
    c->rw_mode = c->read_state = c->write_state = (uint8_t)access;
    c->mode = (val >> 1) & 7;
    if (c->mode >= 6)
        c->mode -= 4; /* 110b and 111b are modes 2 and 3 */
    c->bcd = val & 1;
    c->count = 0; /* counting waits for a count */
    c->count_latched = 0;
    c->next = CLOCK_NEVER;
    drive(p, ch, get_out(p, c, now));
}

static void counter_write(struct pit *p, struct pit_channel *c, uint8_t val, uint64_t now)
{
    switch (c->write_state) {
    default:
    case RW_LSB:
        load_count(p, c, val, now);
        break;
    case RW_MSB:
        load_count(p, c, (uint32_t)val << 8, now);
        break;
    case RW_WORD0:
        c->write_latch = val;
        c->write_state = RW_WORD1;
        break;
    case RW_WORD1:
        load_count(p, c, c->write_latch | (uint32_t)val << 8, now);
        c->write_state = RW_WORD0;
        break;
    }
}

static uint8_t counter_read(struct pit *p, struct pit_channel *c, uint64_t now)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t v = c->count_latched == RW_MSB ? c->latched_count >> 8 : c->latched_count & 0xff;
        c->count_latched = c->count_latched == RW_WORD0 ? RW_MSB : 0;
        return v;
    }
    uint32_t count = get_count(p, c, now);
    switch (c->read_state) {
    case RW_MSB:
        return (count >> 8) & 0xff;
    case RW_WORD0:
        c->read_state = RW_WORD1;
        return count & 0xff;
    case RW_WORD1:
        c->read_state = RW_WORD0;
        return (count >> 8) & 0xff;
    default:
        return count & 0xff;
    }
}

uint64_t pit_read(void *opaque, uint64_t offset, unsigned size)
{
    struct pit *p = opaque;
    (void)size;
    if (offset >= PIT_PORT_CONTROL)
        return 0xff; /* the control word is write-only */
    spin_lock(&p->lock);
    uint8_t v = counter_read(p, &p->ch[offset], clock_now(p->clock));
    spin_unlock(&p->lock);
    return v;
}

void pit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct pit *p = opaque;
    (void)size;
    if (offset > PIT_PORT_CONTROL)
        return;
    spin_lock(&p->lock);
    uint64_t now = clock_now(p->clock);
    catch_up(p, now);
    if (offset == PIT_PORT_CONTROL)
        control_write(p, (uint8_t)value, now);
    else
        counter_write(p, &p->ch[offset], (uint8_t)value, now);
    spin_unlock(&p->lock);
}

/*
 * The gate (datasheet, "Mode definitions"): in modes 0 and 4 a low gate
 * stops the count and a high one lets it go on from there; in modes 2 and 3
 * a low gate stops it and sets OUT high, and a rising one reloads it, as it
 * triggers modes 1 and 5.
 */
static void set_gate(struct pit *p, struct pit_channel *c, bool gate, uint64_t now)
{
    if (c->gate == gate)
        return;
    if (!gate) {
        c->gate_low_at = now;
    } else if (c->mode == 0 || c->mode == 4) {
        /* resume: the time the gate held it does not count (a count loaded meanwhile starts now) */
        c->load_time = c->load_time >= c->gate_low_at ? now : c->load_time + (now - c->gate_low_at);
    } else if (c->count) {
        c->load_time = now;
    }
    c->gate = gate;
    rearm(p, c, now);
}

uint64_t pit_port61_read(void *opaque, uint64_t offset, unsigned size)
{
    struct pit *p = opaque;
    (void)offset;
    (void)size;
    spin_lock(&p->lock);
    uint64_t now = clock_now(p->clock);
    struct pit_channel *c = &p->ch[2];
    uint8_t v = (c->gate ? PORT61_GATE2 : 0) | (p->speaker ? PORT61_SPEAKER : 0) |
                (get_out(p, c, now) ? PORT61_OUT2 : 0);
    if (muldiv64(now, 1000000000ull / PIT_REFRESH_NS, p->clock->hz) & 1)
        v |= PORT61_REFRESH;
    spin_unlock(&p->lock);
    return v;
}

void pit_port61_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct pit *p = opaque;
    (void)offset;
    (void)size;
    spin_lock(&p->lock);
    set_gate(p, &p->ch[2], value & PORT61_GATE2, clock_now(p->clock));
    p->speaker = value & PORT61_SPEAKER;
    spin_unlock(&p->lock);
}

const struct io_ops pit_ops = {pit_read, pit_write};
const struct io_ops pit_port61_ops = {pit_port61_read, pit_port61_write};

int pit_register(struct pit *p, struct bus *bus)
{
    if (bus_register_pio(bus, PLAT_PORT_PIT, 4, &pit_ops, p) ||
        bus_register_pio(bus, PLAT_PORT_SYSTEM_CONTROL_B, 1, &pit_port61_ops, p))
        return -1;
    return 0;
}

void pit_poll(struct pit *p)
{
    spin_lock(&p->lock);
    catch_up(p, clock_now(p->clock));
    spin_unlock(&p->lock);
}

uint64_t pit_next_deadline(struct pit *p)
{
    spin_lock(&p->lock);
    uint64_t t = p->ch[0].next;
    spin_unlock(&p->lock);
    return t;
}

void pit_init(struct pit *p, const struct clock *clock, struct irq_line irq0)
{
    memset(p, 0, sizeof *p);
    p->clock = clock;
    p->irq0 = irq0;
    for (unsigned i = 0; i < PIT_CHANNELS; i++) {
        struct pit_channel *c = &p->ch[i];
        c->mode = 3; /* as QEMU's reset */
        c->gate = i != 2;
        c->next = CLOCK_NEVER;
    }
}
