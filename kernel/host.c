/*
 * kernel/host.c: emu/host.h on bare metal. vCPU i runs on core i, alone;
 * vCPU 0 on the boot CPU once it has nothing else to do. A kick is an atomic
 * flag, plus a host IPI only when the target is halted; a wait is HLT with
 * the per-core deadline timer armed.
 */
#include <stdarg.h>
#include <string.h>

#include "emu/host.h"
#include "kernel/apic.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/idle.h"
#include "kernel/kernel.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/serial.h"
#include "kernel/smp.h"
#include "kernel/tsc.h"

struct vcpu_slot {
    void (*fn)(void *);
    void *arg;
    volatile int pending;  /* a kick not yet consumed by host_wait */
    volatile int waiting;  /* the core is (about to be) halted in host_wait */
    volatile int finished;
} __attribute__((aligned(64)));

static struct vcpu_slot slots[MAX_HOST_CPUS];
static unsigned nstarted;

unsigned host_cpu_count(void) { return ncpus_online; }

static void vcpu_trampoline(void *arg)
{
    struct vcpu_slot *s = arg;
    s->fn(s->arg);
    __atomic_store_n(&s->finished, 1, __ATOMIC_RELEASE);
    if (this_cpu_index() != 0)
        apic_send_fixed(percpu[0].apic_id, VEC_KICK); /* the boot CPU may sleep in host_join_vcpus */
}

int host_start_vcpu(unsigned index, void (*fn)(void *arg), void *arg)
{
    if (index >= ncpus_online || !percpu[index].online) {
        kprintf("host: no core for vCPU %u (%u cores online)\n", index, ncpus_online);
        return -1;
    }
    slots[index] = (struct vcpu_slot){.fn = fn, .arg = arg};
    if (index + 1 > nstarted)
        nstarted = index + 1;
    if (index != 0) /* vCPU 0 runs on the boot CPU in host_join_vcpus */
        smp_post(index, vcpu_trampoline, &slots[index]);
    return 0;
}

void host_join_vcpus(void)
{
    if (nstarted && slots[0].fn)
        vcpu_trampoline(&slots[0]);
    /* Look with interrupts off and halt in STI's shadow (SDM Vol 3A 6.8.3):
     * an AP's kick that lands between the look and the HLT must wake the
     * HLT, not the look before it, or the boot CPU sleeps forever */
    for (unsigned i = 1; i < nstarted; i++)
        for (;;) {
            __asm__ volatile("cli" ::: "memory");
            if (!slots[i].fn || __atomic_load_n(&slots[i].finished, __ATOMIC_ACQUIRE))
                break;
            __asm__ volatile("sti; hlt" ::: "memory");
        }
}

void host_kick(unsigned index)
{
    struct vcpu_slot *s = &slots[index];
    __atomic_store_n(&s->pending, 1, __ATOMIC_SEQ_CST);
    /* Dekker with host_wait: whichever of pending/waiting is seen second is seen */
    if (__atomic_load_n(&s->waiting, __ATOMIC_SEQ_CST) && index != this_cpu_index())
        apic_send_fixed(percpu[index].apic_id, VEC_KICK);
}

bool host_wait(unsigned index, uint64_t deadline)
{
    struct vcpu_slot *s = &slots[index];
    for (;;) {
        __asm__ volatile("cli" ::: "memory");
        __atomic_store_n(&s->waiting, 1, __ATOMIC_SEQ_CST);
        if (__atomic_exchange_n(&s->pending, 0, __ATOMIC_SEQ_CST)) {
            s->waiting = 0;
            __asm__ volatile("sti" ::: "memory");
            return true;
        }
        if (deadline != HOST_NO_DEADLINE && rdtsc() >= deadline) {
            s->waiting = 0;
            __asm__ volatile("sti" ::: "memory");
            return false;
        }
        apic_set_deadline(deadline == HOST_NO_DEADLINE ? 0 : deadline);
        idle_wait(&s->pending); /* a kick's write to pending wakes MWAIT even before its IPI */
        s->waiting = 0;
    }
}

void host_pause(unsigned index)
{
    (void)index;
    __builtin_ia32_pause();
}

uint64_t host_tsc(void) { return rdtsc(); }
uint64_t host_tsc_hz(void) { return tsc_hz; }

void host_console_write(const char *buf, size_t len) { console_write(buf, len); }
size_t host_console_read(char *buf, size_t len) { return serial_read(buf, len); }

void *host_ram_alloc(uint64_t bytes)
{
    uint64_t pa = frame_alloc(bytes, SIZE_2M, MM_ANY);
    if (!pa) {
        kprintf("host: no %llu MiB of contiguous memory for guest RAM (largest free: %llu MiB)\n",
                (unsigned long long)(bytes >> 20), (unsigned long long)(mm_largest_free() >> 20));
        return NULL;
    }
    memset((void *)(uintptr_t)pa, 0, bytes);
    return (void *)(uintptr_t)pa;
}

void host_vlog(const char *fmt, va_list ap) { kvprintf(fmt, ap); }

void host_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void host_panic(const char *fmt, ...)
{
    va_list ap;
    smp_stop_others();
    console_panic_mode();
    kprintf("\n*** host panic: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    kernel_stop(KERNEL_EXIT_FAIL);
}
