/*
 * emu/lock.h: the spinlock of emu/ (per device) and of the bare-metal kernel. emu/ has no threads of its own and may
 * not use pthreads, so device state shared between vCPUs is guarded by this.
 * Hold it only for a few register accesses; never sleep or call the host's
 * wait under it. host_kick() is allowed (it never blocks).
 */
#ifndef BAREMU_LOCK_H
#define BAREMU_LOCK_H

#include <stdbool.h>

struct spinlock {
    bool locked;
};

static inline bool spin_trylock(struct spinlock *l)
{
    return !__atomic_exchange_n(&l->locked, true, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
    while (__atomic_exchange_n(&l->locked, true, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
    }
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, false, __ATOMIC_RELEASE);
}

#endif
