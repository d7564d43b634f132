/*
 * kernel/smp.c: bring up the application processors and give each its own
 * tables, following the MP initialization protocol (SDM Vol 3A 9.4.4,
 * "Typical BSP Initialization Sequence"): INIT, wait 10 ms, STARTUP, wait
 * 200 us, a second STARTUP to any AP that has not answered, then a bounded
 * wait. An AP that never answers is reported and skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/smp.h"
#include "emu/x86.h"
#include "kernel/acpi.h"
#include "kernel/apic.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/idle.h"
#include "kernel/kernel.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/trampoline.h"
#include "kernel/trap.h"
#include "kernel/tsc.h"

#define INIT_DELAY_US 10000    /* SDM 9.4.4: 10 ms after INIT */
#define SIPI_DELAY_US 200      /* and 200 us after each STARTUP */
#define AP_ANSWER_TIMEOUT_US 2000000 /* generous: an emulated AP is slow to arrive */

struct ap_boot_entry ap_boot_table[MAX_HOST_CPUS];
uint32_t ap_boot_count;
static volatile bool stopping;
void ap_main(unsigned index);
static void smp_check_tsc_skew(unsigned n);

/* the boot CPU's IST stacks; the APs' come from mm_alloc_stack, with guard pages */
static uint8_t bsp_ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(4096)));

void smp_init_cpu(unsigned index)
{
    struct percpu *c = &percpu[index];
    if (index == 0)
        for (int i = 0; i < 3; i++)
            c->ist_top[i] = (uint64_t)(uintptr_t)(bsp_ist_stacks[i] + IST_STACK_SIZE);
    gdt_init_cpu(&c->tables, c->ist_top);
    trap_init();
}

static void ap_idle(void)
{
    struct percpu *c = this_cpu_ptr();
    for (;;) {
        __asm__ volatile("cli");
        void (*fn)(void *) = c->call_fn;
        if (fn) {
            void *arg = c->call_arg;
            c->call_fn = NULL;
            __asm__ volatile("sti");
            fn(arg);
            continue;
        }
        idle_wait(&c->call_fn); /* STI's shadow covers the wait: no lost wake-up */
    }
}

void ap_main(unsigned index)
{
    percpu_init_ap(index);
    smp_init_cpu(index);
    __asm__ volatile("fninit");
    apic_init_cpu();
    struct percpu *c = this_cpu_ptr();
    c->apic_id = apic_id();
    kprintf("cpu %u apic %u online\n", index, c->apic_id);
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    ap_idle();
}

static void trampoline_install(void)
{
    size_t len = (size_t)(trampoline_end - trampoline_start);
    memcpy((void *)(uintptr_t)TRAMP_BASE, trampoline_start, len);
    struct tramp_params *p =
        (void *)(uintptr_t)(TRAMP_BASE + (trampoline_params - trampoline_start));
    extern const char ap_start64[];
    p->cr0 = (uint32_t)read_cr0();
    p->cr3 = (uint32_t)read_cr3();
    p->cr4 = (uint32_t)read_cr4();
    p->efer = (uint32_t)rdmsr(MSR_EFER) & ~EFER_LMA; /* LMA follows from LME + PG */
    p->entry = (uint64_t)(uintptr_t)ap_start64;
}

static bool answered(unsigned i) { return __atomic_load_n(&percpu[i].online, __ATOMIC_ACQUIRE); }

void smp_boot_aps(void)
{
    uint32_t self = apic_id();
    percpu[0].apic_id = self;
    percpu[0].online = true;
    kprintf("cpu 0 apic %u online (boot CPU)\n", self);
    if (!host_acpi.have_madt || host_acpi.ncpus <= 1) {
        kprintf("cpus online: 1\n");
        return;
    }
    if (read_cr3() >= (4ull << 30))
        kernel_panic("smp: page tables above 4 GiB; the trampoline loads CR3 in 32-bit mode");
    trampoline_install();

    /* the table the APs search by APIC ID; index 0 is the boot CPU */
    unsigned n = 1;
    for (unsigned i = 0; i < host_acpi.ncpus; i++) {
        if (host_acpi.cpus[i].apic_id == self)
            continue;
        percpu[n].apic_id = host_acpi.cpus[i].apic_id;
        percpu[n].stack_top = mm_alloc_stack(KSTACK_SIZE);
        for (int k = 0; k < 3; k++)
            percpu[n].ist_top[k] = mm_alloc_stack(IST_STACK_SIZE);
        ap_boot_table[n] = (struct ap_boot_entry){percpu[n].apic_id, 0, percpu[n].stack_top};
        n++;
    }
    __atomic_store_n(&ap_boot_count, n, __ATOMIC_RELEASE);

    for (unsigned i = 1; i < n; i++)
        apic_send_init(percpu[i].apic_id);
    tsc_delay_us(INIT_DELAY_US);
    for (int round = 0; round < 2; round++) {
        for (unsigned i = 1; i < n; i++)
            if (!answered(i))
                apic_send_sipi(percpu[i].apic_id, TRAMP_BASE >> 12);
        tsc_delay_us(SIPI_DELAY_US);
    }
    uint64_t deadline = rdtsc() + tsc_from_us(AP_ANSWER_TIMEOUT_US);
    unsigned online = 1;
    for (unsigned i = 1; i < n; i++) {
        while (!answered(i) && (int64_t)(rdtsc() - deadline) < 0)
            cpu_relax();
        if (answered(i))
            online++;
        else
            kprintf("cpu %u apic %u did not answer INIT-SIPI-SIPI; skipped\n", i,
                    percpu[i].apic_id);
    }
    ncpus_online = n; /* indices stay stable; cores that did not answer stay offline */
    kprintf("cpus online: %u\n", online);
    smp_check_tsc_skew(n);
}

/*
 * TSC skew between the boot CPU and core i: a ping-pong of TSC readings.
 * d1 = min(ap - bsp) over the rounds is skew + one-way latency, and
 * d2 = min(bsp' - ap) is -skew + latency; so skew = (d1 - d2) / 2, known
 * to within (d1 + d2) / 2.
 */
#define SKEW_ROUNDS 1000
struct skew_job {
    volatile uint64_t slot;
    volatile int phase; /* 0 idle, 1 boot CPU wrote, 2 AP wrote, 3 done */
    int64_t d1;
};

static void skew_ap(void *arg)
{
    struct skew_job *j = arg;
    j->d1 = INT64_MAX;
    for (int r = 0; r < SKEW_ROUNDS; r++) {
        while (__atomic_load_n(&j->phase, __ATOMIC_ACQUIRE) != 1)
            ;
        uint64_t now = rdtsc();
        int64_t d = (int64_t)(now - j->slot);
        if (d < j->d1)
            j->d1 = d;
        j->slot = rdtsc();
        __atomic_store_n(&j->phase, 2, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&j->phase, 3, __ATOMIC_RELEASE);
}

static void smp_check_tsc_skew(unsigned n)
{
    int64_t worst = 0;
    unsigned worst_cpu = 0;
    for (unsigned i = 1; i < n; i++) {
        if (!answered(i))
            continue;
        struct skew_job j = {0};
        int64_t d2 = INT64_MAX;
        smp_post(i, skew_ap, &j);
        for (int r = 0; r < SKEW_ROUNDS; r++) {
            j.slot = rdtsc();
            __atomic_store_n(&j.phase, 1, __ATOMIC_RELEASE);
            while (__atomic_load_n(&j.phase, __ATOMIC_ACQUIRE) == 1)
                ; /* 2, or 3 after the last round */
            int64_t d = (int64_t)(rdtsc() - j.slot);
            if (d < d2)
                d2 = d;
        }
        while (__atomic_load_n(&j.phase, __ATOMIC_ACQUIRE) != 3)
            ;
        int64_t skew = (j.d1 - d2) / 2;
        if (llabs(skew) > llabs(worst) || worst_cpu == 0) {
            worst = skew;
            worst_cpu = i;
        }
        if (j.d1 < 0 || d2 < 0)
            kprintf("tsc: cpu %u is out of step with cpu 0 by about %lld cycles\n", i,
                    (long long)skew);
    }
    if (worst_cpu)
        kprintf("tsc: largest skew from cpu 0: %lld cycles on cpu %u\n", (long long)worst,
                worst_cpu);
}

void smp_post(unsigned index, void (*fn)(void *), void *arg)
{
    struct percpu *c = &percpu[index];
    c->call_arg = arg;
    __atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
    apic_send_fixed(c->apic_id, VEC_KICK);
}

bool smp_stopping(void) { return stopping; }

void smp_stop_others(void)
{
    if (__atomic_exchange_n(&stopping, true, __ATOMIC_SEQ_CST))
        cpu_halt_forever(); /* another core got there first and is reporting */
    if (ncpus_online > 1)
        apic_send_nmi_others();
}
