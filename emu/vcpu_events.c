/*
 * vcpu_events.c: a vCPU's event handling and power states (see vcpu_events.h).
 */
#include "emu/vcpu_events.h"

#include "emu/x86.h"

enum vcpu_state vcpu_power_on_state(unsigned index)
{
    return index == 0 ? VCPU_RUNNING : VCPU_WAIT_SIPI; /* 9.4.1: APs wait for SIPI */
}

static struct vcpu_action act(enum vcpu_action_kind kind, uint8_t vector)
{
    return (struct vcpu_action){kind, vector, 0};
}

struct vcpu_action vcpu_next_action(struct lapic *l, enum vcpu_state *state, unsigned cpu_flags)
{
    uint32_t ev = lapic_events(l);

    if (ev & LAPIC_EV_MACHINE) {
        uint32_t bits = lapic_take_events(l, LAPIC_EV_MACHINE) & LAPIC_EV_MACHINE;
        return (struct vcpu_action){VCPU_ACT_MACHINE, 0, bits};
    }
    if (ev & LAPIC_EV_INIT) {
        lapic_take_events(l, LAPIC_EV_INIT);
        lapic_init_reset(l);
        *state = VCPU_WAIT_SIPI;
        return act(VCPU_ACT_INIT, 0);
    }
    if (ev & LAPIC_EV_SIPI) {
        uint32_t old = lapic_take_events(l, LAPIC_EV_SIPI);
        if (*state == VCPU_WAIT_SIPI) {
            *state = VCPU_RUNNING;
            return act(VCPU_ACT_SIPI, (uint8_t)LAPIC_EV_SIPI_VECTOR(old));
        }
        /* a SIPI to a running or halted vCPU is ignored */
    }
    if (*state == VCPU_WAIT_SIPI)
        return act(VCPU_ACT_NONE, 0);

    if ((ev & LAPIC_EV_NMI) && !(cpu_flags & VCPU_NMI_BLOCKED)) {
        lapic_take_events(l, LAPIC_EV_NMI);
        *state = VCPU_RUNNING;
        return act(VCPU_ACT_NMI, VEC_NMI);
    }
    if (!(cpu_flags & VCPU_IF) || (cpu_flags & VCPU_SHADOW))
        return act(VCPU_ACT_NONE, 0);
    if (ev & LAPIC_EV_EXTINT) {
        lapic_take_events(l, LAPIC_EV_EXTINT);
        *state = VCPU_RUNNING;
        return act(VCPU_ACT_EXTINT, 0);
    }
    if (ev & LAPIC_EV_INTR) {
        int v = lapic_ack(l);
        if (v >= 0) {
            *state = VCPU_RUNNING;
            return act(VCPU_ACT_INTR, (uint8_t)v);
        }
    }
    return act(VCPU_ACT_NONE, 0);
}
