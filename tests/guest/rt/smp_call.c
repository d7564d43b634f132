/*
 * rt/smp.h: posting calls to APs that wait in smp_worker().
 */
#include "guest.h"
#include "apic.h"
#include "cpu.h"
#include "smp.h"

#define CALL_MS 10000

struct slot {
    void (*volatile fn)(void *);
    void *volatile arg;
    volatile uint32_t posted, done;
};

static struct slot slots[SMP_MAX_CPUS];

static struct slot *slot_of(uint32_t apic_id)
{
    if (apic_id >= SMP_MAX_CPUS)
        tap_bail("smp_call: APIC ID %u is beyond the runtime's %u", apic_id, SMP_MAX_CPUS);
    return &slots[apic_id];
}

void smp_worker(unsigned index)
{
    (void)index;
    struct slot *s = slot_of(cpu_apic_id());
    /* a call cut short by an INIT is over: start afresh */
    __atomic_store_n(&s->done, s->posted, __ATOMIC_RELEASE);
    for (;;) {
        while (__atomic_load_n(&s->posted, __ATOMIC_ACQUIRE) == s->done)
            cpu_pause();
        s->fn(s->arg);
        irq_disable();
        __atomic_store_n(&s->done, s->posted, __ATOMIC_RELEASE);
    }
}

unsigned smp_boot_workers(unsigned ncpus)
{
    return ncpus > 1 ? smp_start_aps(ncpus, smp_worker) : 0;
}

void smp_call_async(uint32_t apic_id, void (*fn)(void *), void *arg)
{
    struct slot *s = slot_of(apic_id);
    s->fn = fn;
    s->arg = arg;
    __atomic_store_n(&s->posted, s->posted + 1, __ATOMIC_RELEASE);
}

bool smp_call_busy(uint32_t apic_id)
{
    struct slot *s = slot_of(apic_id);
    return __atomic_load_n(&s->done, __ATOMIC_ACQUIRE) != s->posted;
}

bool smp_call_wait(uint32_t apic_id, uint32_t ms)
{
    uint64_t end = tsc_after_ms(ms);
    while (smp_call_busy(apic_id))
        if (rdtsc() >= end)
            return false;
        else
            cpu_pause();
    return true;
}

bool smp_call(uint32_t apic_id, void (*fn)(void *), void *arg)
{
    smp_call_async(apic_id, fn, arg);
    return smp_call_wait(apic_id, CALL_MS);
}
