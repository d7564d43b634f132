/*
 * lapic.c: the local APIC, one per vCPU (see lapic.h for the locking and the
 * CPU's side). Intel SDM Vol 3A chapter 11; the sections cited are its.
 */
#include "emu/dev/lapic.h"

#include "emu/dev/lapic_timer.h"

#include "emu/platform.h"
#include "emu/x86.h"

#include <string.h>

#define LOAD(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define VEC_FIRST_LEGAL   16 /* vectors 0-15 are illegal for fixed interrupts (11.5.2) */
#define DFR_RESERVED      0x0fffffffu
#define LDR_XAPIC_MASK    0xff000000u
#define ICR_HI_MASK       0xff000000u
#define SVR_WRITABLE      (SVR_VECTOR | SVR_ENABLE | SVR_FOCUS | SVR_EOIS)
#define LVT_MODE_BITS     (7u << 8)
#define DEFAULT_PHYS_BITS 36

/* writable bits of each LVT entry (11.5.1 Figure 11-8) */
static const uint32_t lvt_writable[LVT_COUNT] = {
    [LVT_CMCI] = LVT_VECTOR | LVT_MODE_BITS | LVT_MASKED,
    [LVT_TIMER] = LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE,
    [LVT_THERMAL] = LVT_VECTOR | LVT_MODE_BITS | LVT_MASKED,
    [LVT_PMC] = LVT_VECTOR | LVT_MODE_BITS | LVT_MASKED,
    [LVT_LINT0] = LVT_VECTOR | LVT_MODE_BITS | LVT_ACTIVE_LOW | LVT_LEVEL | LVT_MASKED,
    [LVT_LINT1] = LVT_VECTOR | LVT_MODE_BITS | LVT_ACTIVE_LOW | LVT_LEVEL | LVT_MASKED,
    [LVT_ERROR] = LVT_VECTOR | LVT_MASKED,
};

/* register results inside this file */
enum { REG_OK, REG_RESERVED, REG_READ_ONLY };

/* ---- 256-bit vector sets (IRR, ISR, TMR), 11.8.4 ---- */

static void vec_set(uint32_t *v, unsigned n)
{
    __atomic_fetch_or(&v[n / 32], 1u << (n % 32), __ATOMIC_ACQ_REL);
}

static void vec_clear(uint32_t *v, unsigned n)
{
    __atomic_fetch_and(&v[n / 32], ~(1u << (n % 32)), __ATOMIC_ACQ_REL);
}

static bool vec_test(const uint32_t *v, unsigned n)
{
    return LOAD(&v[n / 32]) & (1u << (n % 32));
}

static int vec_highest(const uint32_t *v)
{
    for (int i = 7; i >= 0; i--) {
        uint32_t w = LOAD(&v[i]);
        if (w)
            return i * 32 + 31 - __builtin_clz(w);
    }
    return -1;
}

static uint32_t prio_class(int vector)
{
    return vector < 0 ? 0 : (uint32_t)vector & 0xf0;
}

/* ---- modes and routing views ---- */

enum lapic_mode lapic_mode(const struct lapic *l)
{
    uint64_t base = LOAD(&l->apic_base);
    if (!(base & APIC_BASE_EN))
        return LAPIC_DISABLED;
    return base & APIC_BASE_EXTD ? LAPIC_X2APIC : LAPIC_XAPIC;
}

bool lapic_route_enabled(const struct lapic *l)
{
    return LOAD(&l->apic_base) & APIC_BASE_EN;
}

bool lapic_route_sw_enabled(const struct lapic *l)
{
    return lapic_route_enabled(l) && (LOAD(&l->svr) & SVR_ENABLE);
}

bool lapic_route_x2apic(const struct lapic *l)
{
    return lapic_mode(l) == LAPIC_X2APIC;
}

uint32_t lapic_route_id(const struct lapic *l)
{
    return LOAD(&l->id);
}

uint32_t lapic_route_ldr(const struct lapic *l)
{
    return LOAD(&l->ldr);
}

uint32_t lapic_route_dfr(const struct lapic *l)
{
    return LOAD(&l->dfr);
}

/* PPR (11.8.3.1): TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0 */
uint32_t lapic_ppr(const struct lapic *l)
{
    uint32_t tpr = LOAD(&l->tpr);
    uint32_t isrc = prio_class(vec_highest(l->isr));
    return (tpr & 0xf0) >= isrc ? tpr : isrc;
}

/*
 * APR (11.8.2, as defined for the P6 family; later processors leave it to
 * the chipset): TPR if TPR[7:4] >= IRRV[7:4] and TPR[7:4] > ISRV[7:4], else
 * the highest of the three priority classes.
 */
uint32_t lapic_apr(const struct lapic *l)
{
    uint32_t tpr = LOAD(&l->tpr), tc = tpr & 0xf0;
    uint32_t ic = prio_class(vec_highest(l->isr)), rc = prio_class(vec_highest(l->irr));
    if (tc >= rc && tc > ic)
        return tpr;
    uint32_t m = tc > ic ? tc : ic;
    return m > rc ? m : rc;
}

uint8_t lapic_spurious_vector(const struct lapic *l)
{
    return LOAD(&l->svr) & SVR_VECTOR;
}

/* ---- the event word ---- */

static void kick(struct lapic *l)
{
    if (l->cfg.kick)
        l->cfg.kick(l->cfg.kick_opaque, l->cfg.index);
}

static void post(struct lapic *l, uint32_t bits)
{
    __atomic_fetch_or(&l->events, bits, __ATOMIC_ACQ_REL);
    kick(l);
}

static void post_sipi(struct lapic *l, uint8_t vector)
{
    uint32_t old = LOAD(&l->events), val;
    do {
        val =
            (old & ~LAPIC_EV_SIPI_MASK) | LAPIC_EV_SIPI | ((uint32_t)vector << LAPIC_EV_SIPI_SHIFT);
    } while (!__atomic_compare_exchange_n(&l->events, &old, val, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    kick(l);
}

uint32_t lapic_events(const struct lapic *l)
{
    return LOAD(&l->events);
}

uint32_t lapic_take_events(struct lapic *l, uint32_t mask)
{
    if (mask & LAPIC_EV_SIPI)
        mask |= LAPIC_EV_SIPI_MASK;
    return __atomic_fetch_and(&l->events, ~mask, __ATOMIC_ACQ_REL);
}

void lapic_post_events(struct lapic *l, uint32_t bits)
{
    post(l, bits & LAPIC_EV_MACHINE);
}

/* after a local change that may unmask an IRR bit (EOI, TPR): tell the run loop */
static void recheck_intr(struct lapic *l)
{
    if (lapic_pending(l) >= 0)
        __atomic_fetch_or(&l->events, LAPIC_EV_INTR, __ATOMIC_ACQ_REL);
}

uint64_t lapic_read_cr8(const struct lapic *l)
{
    return (LOAD(&l->tpr) >> 4) & 0xf;
}

void lapic_write_cr8(struct lapic *l, uint64_t value)
{
    STORE(&l->tpr, (uint32_t)(value & 0xf) << 4);
    recheck_intr(l);
}

/* ---- errors (11.5.3) ---- */

static void lvt_fire(struct lapic *l, enum lapic_lvt which);

/* record errors; a new one raises the error LVT */
static void lapic_error(struct lapic *l, uint32_t bits)
{
    uint32_t old = __atomic_fetch_or(&l->esr_pending, bits, __ATOMIC_ACQ_REL);
    if (bits & ~old)
        lvt_fire(l, LVT_ERROR);
}

/* ---- accepting interrupts ---- */

void lapic_deliver(struct lapic *l, unsigned mode, uint8_t vector, bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        if (vector < VEC_FIRST_LEGAL) {
            /* 11.5.3: never sets an IRR bit 0-15 */
            lapic_error(l, ESR_RECV_ILLEGAL_VEC);
            return;
        }
        /* XXX: a software-disabled APIC drops fixed interrupts, as KVM does (11.4.7.2) */
        if (!(LOAD(&l->svr) & SVR_ENABLE))
            return;
        if (level)
            vec_set(l->tmr, vector);
        else
            vec_clear(l->tmr, vector);
        vec_set(l->irr, vector);
        post(l, LAPIC_EV_INTR);
        break;
    case APIC_DM_NMI:
        post(l, LAPIC_EV_NMI);
        break;
    case APIC_DM_INIT:
        post(l, LAPIC_EV_INIT);
        break;
    case APIC_DM_SIPI:
        post_sipi(l, vector);
        break;
    case APIC_DM_EXTINT:
        post(l, LAPIC_EV_EXTINT);
        break;
    default:
        /* SMI: accepted and dropped, there is no SMM; 3 is reserved */
        break;
    }
}

int lapic_pending(struct lapic *l)
{
    int v = vec_highest(l->irr);
    if (v < 0 || prio_class(v) <= (lapic_ppr(l) & 0xf0))
        return -1;
    return v;
}

int lapic_ack(struct lapic *l)
{
    int v = lapic_pending(l);
    if (v < 0) {
        /* clear the hint, then look again: an IRR bit set meanwhile keeps it */
        __atomic_fetch_and(&l->events, ~LAPIC_EV_INTR, __ATOMIC_ACQ_REL);
        v = lapic_pending(l);
        if (v < 0)
            return -1;
        __atomic_fetch_or(&l->events, LAPIC_EV_INTR, __ATOMIC_ACQ_REL);
    }
    vec_clear(l->irr, (unsigned)v);
    vec_set(l->isr, (unsigned)v);
    return v;
}

/* ---- the LVT ---- */

static bool lvt_mode_allowed(enum lapic_lvt which, unsigned mode)
{
    if (which == LVT_TIMER || which == LVT_ERROR)
        return mode == APIC_DM_FIXED;
    if (mode == APIC_DM_EXTINT)
        return which == LVT_LINT0 || which == LVT_LINT1;
    return mode == APIC_DM_FIXED || mode == APIC_DM_SMI || mode == APIC_DM_NMI ||
           mode == APIC_DM_INIT;
}

/* a local source fires its LVT entry, edge-triggered */
static void lvt_fire(struct lapic *l, enum lapic_lvt which)
{
    uint32_t v = LOAD(&l->lvt[which]);
    unsigned mode = (which == LVT_TIMER || which == LVT_ERROR) ? APIC_DM_FIXED : LVT_MODE(v);
    if ((v & LVT_MASKED) || !lvt_mode_allowed(which, mode))
        return;
    lapic_deliver(l, mode, v & LVT_VECTOR, false);
}

void lapic_raise_lvt(struct lapic *l, enum lapic_lvt which)
{
    if (which != LVT_LINT0 && which != LVT_LINT1 && which < LVT_COUNT)
        lvt_fire(l, which);
}

static bool lint_asserted(const struct lapic *l, unsigned pin, uint32_t lvt)
{
    bool high = LOAD(&l->lint_asserted) & (1u << pin);
    return high != !!(lvt & LVT_ACTIVE_LOW);
}

/*
 * Act on a LINT pin's state (11.5.1): ExtINT follows the level (the 8259's
 * INTR is a level); level-triggered fixed sets Remote IRR and delivers while
 * asserted and Remote IRR is clear; everything else acts on a rising edge.
 */
static void lint_eval(struct lapic *l, unsigned pin, bool rising)
{
    enum lapic_lvt which = pin ? LVT_LINT1 : LVT_LINT0;
    uint32_t v = LOAD(&l->lvt[which]);
    unsigned mode = LVT_MODE(v);
    bool asserted = lint_asserted(l, pin, v);

    if (mode == APIC_DM_EXTINT) {
        if (asserted && !(v & LVT_MASKED))
            post(l, LAPIC_EV_EXTINT);
        else
            __atomic_fetch_and(&l->events, ~LAPIC_EV_EXTINT, __ATOMIC_ACQ_REL);
        return;
    }
    if ((v & LVT_MASKED) || !asserted)
        return;
    if (mode == APIC_DM_FIXED && (v & LVT_LEVEL)) {
        uint32_t old = __atomic_fetch_or(&l->lvt[which], LVT_REMOTE_IRR, __ATOMIC_ACQ_REL);
        if (!(old & LVT_REMOTE_IRR))
            lapic_deliver(l, APIC_DM_FIXED, v & LVT_VECTOR, true);
        return;
    }
    if (rising)
        lvt_fire(l, which);
}

void lapic_set_lint(void *opaque, unsigned pin, int level)
{
    struct lapic *l = opaque;
    if (pin > 1)
        return;
    uint8_t bit = (uint8_t)(1u << pin);
    uint8_t old = level ? __atomic_fetch_or(&l->lint_asserted, bit, __ATOMIC_ACQ_REL)
                        : __atomic_fetch_and(&l->lint_asserted, (uint8_t)~bit, __ATOMIC_ACQ_REL);
    bool was_high = old & bit;

    if (!lapic_route_enabled(l)) {
        /* globally disabled: LINT0 is the INTR pin, LINT1 the NMI pin (11.4.3) */
        if (pin == 0 && level)
            post(l, LAPIC_EV_EXTINT);
        else if (pin == 0)
            __atomic_fetch_and(&l->events, ~LAPIC_EV_EXTINT, __ATOMIC_ACQ_REL);
        else if (level && !was_high)
            post(l, LAPIC_EV_NMI);
        return;
    }
    uint32_t v = LOAD(&l->lvt[pin ? LVT_LINT1 : LVT_LINT0]);
    bool was = was_high != !!(v & LVT_ACTIVE_LOW);
    lint_eval(l, pin, !was && lint_asserted(l, pin, v));
}

/* ---- registers ---- */

static void lvt_write(struct lapic *l, enum lapic_lvt which, uint32_t value)
{
    uint32_t w = value & lvt_writable[which];
    if (!(l->svr & SVR_ENABLE))
        w |= LVT_MASKED; /* 11.4.7.2: masks cannot be cleared while software-disabled */
    uint32_t old = LOAD(&l->lvt[which]), val;
    do {
        val = w | (old & LVT_REMOTE_IRR);
        if ((w & LVT_LEVEL) == 0 || LVT_MODE(w) != APIC_DM_FIXED)
            val &= ~LVT_REMOTE_IRR;
    } while (!__atomic_compare_exchange_n(&l->lvt[which], &old, val, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    if (which == LVT_TIMER)
        lapic_timer_lvt_changed(l, old, val);
    else if (which == LVT_LINT0 || which == LVT_LINT1)
        lint_eval(l, which == LVT_LINT1, false);
}

static void svr_write(struct lapic *l, uint32_t value)
{
    STORE(&l->svr, value & SVR_WRITABLE);
    if (!(value & SVR_ENABLE)) {
        for (unsigned i = 0; i < LVT_COUNT; i++)
            __atomic_fetch_or(&l->lvt[i], LVT_MASKED, __ATOMIC_ACQ_REL);
        __atomic_fetch_and(&l->events, ~LAPIC_EV_EXTINT, __ATOMIC_ACQ_REL);
    }
}

/* EOI (11.8.5): retire the highest ISR bit; level-triggered ones are broadcast */
static void lapic_eoi(struct lapic *l)
{
    int v = vec_highest(l->isr);
    if (v < 0)
        return;
    vec_clear(l->isr, (unsigned)v);
    if (vec_test(l->tmr, (unsigned)v)) {
        for (unsigned pin = 0; pin < 2; pin++) {
            enum lapic_lvt which = pin ? LVT_LINT1 : LVT_LINT0;
            uint32_t lvt = LOAD(&l->lvt[which]);
            if ((lvt & LVT_REMOTE_IRR) && (lvt & LVT_VECTOR) == (uint32_t)v) {
                __atomic_fetch_and(&l->lvt[which], ~LVT_REMOTE_IRR, __ATOMIC_ACQ_REL);
                lint_eval(l, pin, false); /* re-delivers while the line stays asserted */
            }
        }
        if (!(l->svr & SVR_EOIS))
            intr_eoi_broadcast(l->cfg.intr, (uint8_t)v);
    }
    recheck_intr(l);
}

/* send what the ICR holds (11.6.1) */
static void icr_send(struct lapic *l)
{
    uint32_t lo = l->icr_lo;
    bool x2 = lapic_mode(l) == LAPIC_X2APIC;
    struct intr_msg m = {
        .dest = x2 ? l->icr_hi : l->icr_hi >> 24,
        .vector = lo & ICR_VECTOR,
        .mode = ICR_MODE(lo),
        .shorthand = ICR_SH(lo),
        .logical = lo & ICR_LOGICAL,
        .level = lo & ICR_LEVEL,
        .assert = lo & ICR_ASSERT,
        .x2apic = x2,
    };
    if (m.mode == 3 || m.mode == APIC_DM_EXTINT)
        return; /* reserved in the ICR */
    if ((m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST) && m.vector < VEC_FIRST_LEGAL)
        lapic_error(l, ESR_SEND_ILLEGAL_VEC); /* sent anyway; receivers reject it */
    /* 11.6.1 Table 11-2: the self shorthand is for fixed IPIs only; no lowest priority to all */
    if (m.shorthand == APIC_SH_SELF && m.mode != APIC_DM_FIXED)
        return;
    if (m.shorthand == APIC_SH_ALL && m.mode == APIC_DM_LOWEST)
        return;
    intr_deliver(l->cfg.intr, &m, l);
}

static void self_ipi(struct lapic *l, uint8_t vector)
{
    struct intr_msg m = {.vector = vector,
                         .mode = APIC_DM_FIXED,
                         .shorthand = APIC_SH_SELF,
                         .assert = true,
                         .x2apic = true};
    if (vector < VEC_FIRST_LEGAL)
        lapic_error(l, ESR_SEND_ILLEGAL_VEC);
    intr_deliver(l->cfg.intr, &m, l);
}

static int lvt_index(uint32_t off)
{
    if (off == LAPIC_LVT_CMCI)
        return LVT_CMCI;
    if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR)
        return LVT_TIMER + (int)((off - LAPIC_LVT_TIMER) >> 4);
    return -1;
}

/* read the register at MMIO offset off (16-byte aligned) */
static int reg_read(struct lapic *l, uint32_t off, bool x2, uint32_t *out)
{
    int lvt = lvt_index(off);
    *out = 0;
    if (lvt >= 0) {
        *out = LOAD(&l->lvt[lvt]) & ~LVT_PENDING;
        return REG_OK;
    }
    if (off >= LAPIC_ISR && off < LAPIC_IRR + 0x80) {
        const uint32_t *set = off < LAPIC_TMR ? l->isr : off < LAPIC_IRR ? l->tmr : l->irr;
        *out = LOAD(&set[(off >> 4) & 7]);
        return REG_OK;
    }
    switch (off) {
    case LAPIC_ID:
        *out = x2 ? l->id : l->id << 24;
        return REG_OK;
    case LAPIC_VERSION:
        *out = LAPIC_VERSION_ID | ((LVT_COUNT - 1) << 16) | LAPIC_VERSION_EOIS;
        return REG_OK;
    case LAPIC_TPR:
        *out = l->tpr;
        return REG_OK;
    case LAPIC_PPR:
        *out = lapic_ppr(l);
        return REG_OK;
    case LAPIC_LDR:
        *out = l->ldr;
        return REG_OK;
    case LAPIC_SVR:
        *out = l->svr;
        return REG_OK;
    case LAPIC_ESR:
        *out = l->esr;
        return REG_OK;
    case LAPIC_ICR_LO:
        *out = l->icr_lo;
        return REG_OK;
    case LAPIC_TIMER_ICR:
        *out = l->timer_initial;
        return REG_OK;
    case LAPIC_TIMER_CCR:
        *out = lapic_timer_current(l);
        return REG_OK;
    case LAPIC_TIMER_DCR:
        *out = l->timer_dcr;
        return REG_OK;
    }
    if (x2)
        return REG_RESERVED; /* APR, EOI, RRD, DFR, ICR high, SELF IPI: not readable */
    switch (off) {
    case LAPIC_APR:
        *out = lapic_apr(l);
        return REG_OK;
    case LAPIC_EOI:
    case LAPIC_RRD:
        return REG_OK;
    case LAPIC_DFR:
        *out = l->dfr;
        return REG_OK;
    case LAPIC_ICR_HI:
        *out = l->icr_hi;
        return REG_OK;
    }
    return REG_RESERVED;
}

static bool read_only(uint32_t off)
{
    return off == LAPIC_VERSION || off == LAPIC_APR || off == LAPIC_PPR || off == LAPIC_RRD ||
           off == LAPIC_TIMER_CCR || (off >= LAPIC_ISR && off < LAPIC_IRR + 0x80);
}

/* write the register at MMIO offset off; x2APIC's extra #GP rules are the caller's */
static int reg_write(struct lapic *l, uint32_t off, bool x2, uint32_t value)
{
    int lvt = lvt_index(off);
    if (lvt >= 0) {
        lvt_write(l, (enum lapic_lvt)lvt, value);
        return REG_OK;
    }
    if (read_only(off))
        return x2 && (off == LAPIC_APR || off == LAPIC_RRD) ? REG_RESERVED : REG_READ_ONLY;
    switch (off) {
    case LAPIC_ID:
        if (x2)
            return REG_READ_ONLY; /* 11.12.5.1: the x2APIC ID is read-only */
        STORE(&l->id, value >> 24);
        return REG_OK;
    case LAPIC_TPR:
        STORE(&l->tpr, value & 0xff);
        recheck_intr(l);
        return REG_OK;
    case LAPIC_EOI:
        lapic_eoi(l);
        return REG_OK;
    case LAPIC_LDR:
        if (x2)
            return REG_READ_ONLY; /* 11.12.10.2: derived from the x2APIC ID */
        STORE(&l->ldr, value & LDR_XAPIC_MASK);
        return REG_OK;
    case LAPIC_SVR:
        svr_write(l, value);
        return REG_OK;
    case LAPIC_ESR:
        /* 11.5.3: a write latches the errors seen since the last one, and clears them */
        l->esr = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_ACQ_REL);
        return REG_OK;
    case LAPIC_ICR_LO:
        l->icr_lo = value & ICR_LO_MASK;
        icr_send(l);
        return REG_OK;
    case LAPIC_TIMER_ICR:
        lapic_timer_write_initial(l, value);
        return REG_OK;
    case LAPIC_TIMER_DCR:
        lapic_timer_write_divide(l, value);
        return REG_OK;
    }
    if (x2) {
        if (off == LAPIC_SELF_IPI) {
            self_ipi(l, value & ICR_VECTOR);
            return REG_OK;
        }
        return REG_RESERVED;
    }
    switch (off) {
    case LAPIC_DFR:
        STORE(&l->dfr, value | DFR_RESERVED);
        return REG_OK;
    case LAPIC_ICR_HI:
        l->icr_hi = value & ICR_HI_MASK;
        return REG_OK;
    }
    return REG_RESERVED;
}

/* ---- xAPIC MMIO (11.4.1): only the first dword of each 16-byte slot is a register ---- */

uint64_t lapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct lapic *l = opaque;
    uint32_t v;
    (void)size;
    if (offset >= PLAT_LAPIC_SIZE || (offset & 0xf) >= 4 || lapic_mode(l) != LAPIC_XAPIC)
        return 0;
    if (reg_read(l, (uint32_t)offset & ~0xfu, false, &v) != REG_OK)
        lapic_error(l, ESR_ILLEGAL_REG);
    return v >> ((offset & 3) * 8);
}

void lapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct lapic *l = opaque;
    /* XXX: the SDM requires aligned dword writes (11.4.1); others are dropped */
    if (offset >= PLAT_LAPIC_SIZE || (offset & 0xf) || size != 4 || lapic_mode(l) != LAPIC_XAPIC)
        return;
    if (reg_write(l, (uint32_t)offset, false, (uint32_t)value) == REG_RESERVED)
        lapic_error(l, ESR_ILLEGAL_REG);
}

const struct io_ops lapic_mmio_ops = {lapic_mmio_read, lapic_mmio_write};

/* ---- reset and IA32_APIC_BASE ---- */

static uint32_t x2apic_ldr(uint32_t id)
{
    /* 11.12.10.2: cluster ID id[19:4] in LDR[31:16], bit id[3:0] in LDR[15:0] */
    return ((id >> 4) << 16) | (1u << (id & 0xf));
}

void lapic_init_reset(struct lapic *l)
{
    for (unsigned i = 0; i < 8; i++) {
        STORE(&l->irr[i], 0);
        STORE(&l->isr[i], 0);
        STORE(&l->tmr[i], 0);
    }
    for (unsigned i = 0; i < LVT_COUNT; i++)
        STORE(&l->lvt[i], LVT_MASKED);
    STORE(&l->tpr, 0);
    STORE(&l->dfr, 0xffffffffu);
    STORE(&l->svr, SVR_VECTOR);
    STORE(&l->ldr, lapic_mode(l) == LAPIC_X2APIC ? x2apic_ldr(l->id) : 0);
    STORE(&l->esr_pending, 0);
    __atomic_fetch_and(&l->events, ~(LAPIC_EV_INTR | LAPIC_EV_EXTINT), __ATOMIC_ACQ_REL);
    l->esr = 0;
    l->icr_lo = l->icr_hi = 0;
    lapic_timer_reset(l);
}

static void remap(struct lapic *l)
{
    if (l->cfg.map)
        l->cfg.map(l->cfg.map_opaque, l->cfg.index, l->apic_base & APIC_BASE_ADDR & l->addr_mask,
                   lapic_mode(l) == LAPIC_XAPIC);
}

void lapic_init(struct lapic *l, const struct lapic_config *cfg)
{
    memset(l, 0, sizeof *l);
    l->cfg = *cfg;
    if (l->cfg.phys_bits < 32 || l->cfg.phys_bits > 52)
        l->cfg.phys_bits = DEFAULT_PHYS_BITS;
    if (!l->cfg.timer_hz)
        l->cfg.timer_hz = l->cfg.clock->hz;
    l->addr_mask = (1ull << l->cfg.phys_bits) - 1;
    l->apic_base = PLAT_LAPIC_BASE | APIC_BASE_EN | (cfg->index == 0 ? APIC_BASE_BSP : 0);
    l->id = cfg->apic_id & 0xff;
    if (cfg->apic_id >= XAPIC_MAX_ID) {
        /*
         * An ID that xAPIC cannot hold (0xff is its broadcast): the CPU comes
         * up in x2APIC mode, as firmware must leave it (Intel x2APIC
         * specification 2.6; we have no firmware to do it).
         */
        l->apic_base |= APIC_BASE_EXTD;
        l->id = cfg->apic_id;
    }
    lapic_init_reset(l);
    if (cfg->index == 0) /* virtual-wire mode for the BSP, as QEMU's reset does */
        STORE(&l->lvt[LVT_LINT0], APIC_DM_EXTINT << 8);
    remap(l);
}

/* IA32_APIC_BASE writes and the mode transitions of 11.12.5 (Figure 11-27) */
static int apic_base_write(struct lapic *l, uint64_t value)
{
    uint64_t valid =
        APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN | (APIC_BASE_ADDR & l->addr_mask);
    if (value & ~valid)
        return LAPIC_GP;
    enum lapic_mode from = lapic_mode(l), to;
    if (!(value & APIC_BASE_EN))
        to = LAPIC_DISABLED;
    else
        to = value & APIC_BASE_EXTD ? LAPIC_X2APIC : LAPIC_XAPIC;
    if ((value & APIC_BASE_EXTD) && !(value & APIC_BASE_EN))
        return LAPIC_GP; /* EN=0, EXTD=1 is invalid */
    if ((from == LAPIC_X2APIC && to == LAPIC_XAPIC) ||
        (from == LAPIC_DISABLED && to == LAPIC_X2APIC))
        return LAPIC_GP;
    /* the BSP flag is the hardware's: writes do not change it */
    value = (value & ~APIC_BASE_BSP) | (l->apic_base & APIC_BASE_BSP);
    STORE(&l->apic_base, value);
    if (to == LAPIC_DISABLED && from != LAPIC_DISABLED) {
        /* 11.4.3: a global disable may lose all state; ours returns to power-up */
        STORE(&l->id, l->cfg.apic_id & 0xff);
        lapic_init_reset(l);
    } else if (to == LAPIC_X2APIC && from == LAPIC_XAPIC) {
        /* 11.12.5.1: the ID becomes the x2APIC ID and LDR is derived from it */
        STORE(&l->id, l->cfg.apic_id);
        STORE(&l->ldr, x2apic_ldr(l->cfg.apic_id));
    }
    remap(l);
    return LAPIC_OK;
}

/* ---- MSRs ---- */

bool lapic_owns_msr(uint32_t msr)
{
    return msr == MSR_APIC_BASE || msr == MSR_TSC_DEADLINE ||
           (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

int lapic_rdmsr(struct lapic *l, uint32_t msr, uint64_t *value)
{
    uint32_t v;
    *value = 0;
    if (msr == MSR_APIC_BASE) {
        *value = l->apic_base;
        return LAPIC_OK;
    }
    if (msr == MSR_TSC_DEADLINE) {
        /* 11.5.4.1: reads 0 outside TSC-deadline mode */
        *value = lapic_tsc_deadline_read(l);
        return LAPIC_OK;
    }
    if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || lapic_mode(l) != LAPIC_X2APIC)
        return LAPIC_GP;
    uint32_t off = (msr - MSR_X2APIC_FIRST) << 4;
    if (off == LAPIC_ICR_LO) {
        *value = (uint64_t)l->icr_hi << 32 | l->icr_lo;
        return LAPIC_OK;
    }
    if (reg_read(l, off, true, &v) != REG_OK)
        return LAPIC_GP;
    *value = v;
    return LAPIC_OK;
}

#define X2APIC_ICR_RESERVED (~(uint64_t)ICR_LO_MASK & 0xffffffffull)
#define DCR_DEFINED         0xbu

/*
 * The bits an x2APIC register defines (11.12.1.2 Table 11-6, Figures 11-8
 * and 11-10): writing 1 to any other is #GP (11.12.1.3). Read-only bits such
 * as delivery status and remote IRR are defined, so writing back a value
 * just read is never a fault. Registers not listed are read-only or
 * reserved whole, and reg_write() refuses them.
 */
static uint32_t x2apic_defined_bits(uint32_t off)
{
    int lvt = lvt_index(off);
    if (lvt >= 0)
        return lvt_writable[lvt] | LVT_PENDING |
               (lvt == LVT_LINT0 || lvt == LVT_LINT1 ? LVT_REMOTE_IRR : 0);
    switch (off) {
    case LAPIC_TPR:
        return 0xff;
    case LAPIC_SVR:
        return SVR_WRITABLE;
    case LAPIC_TIMER_ICR:
        return ~0u;
    case LAPIC_TIMER_DCR:
        return DCR_DEFINED;
    case LAPIC_SELF_IPI:
        return ICR_VECTOR;
    case LAPIC_EOI:
    case LAPIC_ESR:
        return 0;
    }
    return ~0u; /* read-only or reserved: reg_write() decides */
}

int lapic_wrmsr(struct lapic *l, uint32_t msr, uint64_t value)
{
    if (msr == MSR_APIC_BASE)
        return apic_base_write(l, value);
    if (msr == MSR_TSC_DEADLINE) {
        lapic_tsc_deadline_write(l, value);
        return LAPIC_OK;
    }
    if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || lapic_mode(l) != LAPIC_X2APIC)
        return LAPIC_GP;
    uint32_t off = (msr - MSR_X2APIC_FIRST) << 4;
    if (off == LAPIC_ICR_LO) {
        /* 11.12.9: one 64-bit write, destination in bits 63:32 */
        if (value & X2APIC_ICR_RESERVED)
            return LAPIC_GP;
        l->icr_hi = (uint32_t)(value >> 32);
        l->icr_lo = (uint32_t)value;
        icr_send(l);
        return LAPIC_OK;
    }
    /* 11.12.1.3: a non-zero write to a reserved bit is #GP (EOI and ESR take only 0) */
    if (value >> 32 || (value & ~(uint64_t)x2apic_defined_bits(off)))
        return LAPIC_GP;
    return reg_write(l, off, true, (uint32_t)value) == REG_OK ? LAPIC_OK : LAPIC_GP;
}
