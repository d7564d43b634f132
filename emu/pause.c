/*
 * emu/pause.c: the machine pause protocol (emu/machine.h, machine_pause).
 *
 * A request posts MACHINE_EV_PAUSE in every other vCPU's event word (which
 * kicks a sleeping one); each takes it at its next instruction boundary in
 * the run loop and parks in machine_park() until the round is over. The
 * requester waits until all of them have parked, does its work, and ends the
 * round with machine_resume(). One round at a time: a requester that must
 * wait for another's round parks for it meanwhile, so two vCPUs asking at
 * once cannot wait for each other.
 */
#include "emu/host.h"
#include "emu/machine.h"

static bool is_stopping(const struct machine *m)
{
    return __atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE);
}

void machine_park(struct machine *m, unsigned self)
{
    uint32_t gen = __atomic_load_n(&m->pause_gen, __ATOMIC_ACQUIRE);
    __atomic_add_fetch(&m->parked, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&m->pause_gen, __ATOMIC_ACQUIRE) == gen && !is_stopping(m))
        host_pause(self);
}

/* a pause request for self that came while it waited for the round lock */
static void serve_pending(struct machine *m, unsigned self)
{
    struct lapic *l = &m->pc.lapic[self];
    if (!(lapic_events(l) & MACHINE_EV_PAUSE))
        return;
    lapic_take_events(l, MACHINE_EV_PAUSE);
    machine_park(m, self);
}

void machine_pause(struct machine *m, int self)
{
    if (m->cfg.deterministic)
        return; /* one host thread: every other vCPU is between quanta already */
    while (!spin_trylock(&m->pause_lock)) {
        if (self >= 0)
            serve_pending(m, (unsigned)self);
        __builtin_ia32_pause();
    }
    unsigned others = 0;
    for (unsigned i = 0; i < m->cfg.ncpus; i++)
        if ((int)i != self) {
            lapic_post_events(&m->pc.lapic[i], MACHINE_EV_PAUSE);
            others++;
        }
    while (__atomic_load_n(&m->parked, __ATOMIC_ACQUIRE) < others && !is_stopping(m))
        host_pause(self >= 0 ? (unsigned)self : 0);
}

void machine_resume(struct machine *m)
{
    if (m->cfg.deterministic)
        return;
    __atomic_store_n(&m->parked, 0, __ATOMIC_RELEASE);
    __atomic_add_fetch(&m->pause_gen, 1, __ATOMIC_ACQ_REL);
    spin_unlock(&m->pause_lock);
}
