/*
 * bench/smp/ipi.c: IPI round-trip latency (issue 7, "IPI latency"). vCPU 0
 * sends a fixed IPI (SDM Vol 3A 11.6.1, physical destination) to vCPU 1,
 * whose handler answers with one back; the round trip is vCPU 0's TSC from
 * just before its ICR write to the entry of its own answer's handler.
 * trips= round trips (default 10,000) in each of two modes of the target:
 *
 *   spin: vCPU 1 spins (PAUSE) with interrupts on;
 *   halt: vCPU 1 waits in STI;HLT (SDM Vol 3A 6.8.3), so every ping wakes it.
 *
 * vCPU 0 always spins for the answer, and waits gap_us= (default 50 us)
 * between trips so that a halted target is back in HLT. Prints
 *
 *   ipi: target=spin trips=N lost=L min_ns=.. p50_ns=.. p99_ns=.. p99.9_ns=.. max_ns=..
 *   ipi: target=halt ...
 *   ipi: done
 */
#include "smpbench.h"

#define DEFAULT_TRIPS 10000u
#define MAX_TRIPS     200000u
#define DEFAULT_GAP   50u /* us */
#define VEC_PING      0x40
#define VEC_PONG      0x41
#define WAIT_MS       1000 /* a lost IPI must not hang the benchmark */

static uint32_t lat[MAX_TRIPS];
static uint32_t trips = DEFAULT_TRIPS, gap_us = DEFAULT_GAP;
static uint32_t bsp_apic;
static volatile uint32_t pongs, stop, halting;
static volatile uint64_t pong_tsc;

SMP_IRQ_STUB(ping_stub, ping_handler);
SMP_IRQ_STUB(pong_stub, pong_handler);

void ping_handler(void)
{
    smp_send_ipi(bsp_apic, VEC_PONG);
    smp_eoi();
}

void pong_handler(void)
{
    pong_tsc = rdtsc();
    pongs++;
    smp_eoi();
}

static void target(void *arg)
{
    bool halt = arg != NULL;
    if (halt) {
        irq_disable();
        while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
            halting = 1;
            sti_hlt();
        }
    } else {
        irq_enable();
        while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
            cpu_pause();
    }
    irq_disable();
}

static void measure(const char *mode, bool halt, uint32_t apic)
{
    stop = 0, halting = 0;
    smp_call_async(apic, target, halt ? (void *)1 : NULL);
    delay_ms(1); /* let it get there */
    uint32_t lost = 0;
    irq_enable();
    for (uint32_t t = 0; t < trips; t++) {
        uint64_t gap_end = rdtsc() + smpb_tsc_hz * gap_us / 1000000;
        while (rdtsc() < gap_end)
            cpu_pause();
        uint32_t before = pongs;
        uint64_t t0 = rdtsc_ordered();
        smp_send_ipi(apic, VEC_PING);
        uint64_t end = t0 + smpb_tsc_hz / 1000 * WAIT_MS;
        while (pongs == before && rdtsc() < end)
            cpu_pause();
        if (pongs == before) {
            lost++;
            lat[t] = UINT32_MAX;
            continue;
        }
        uint64_t d = pong_tsc - t0;
        lat[t] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    irq_disable();
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    smp_send_ipi(apic, VEC_PING); /* wake a halted target to see it; its pong is not counted */
    smp_call_wait(apic, WAIT_MS);
    smpb_sort_u32(lat, trips);
    uint32_t i50 = (trips - 1) / 2, i99 = (uint32_t)((uint64_t)(trips - 1) * 99 / 100),
             i999 = (uint32_t)((uint64_t)(trips - 1) * 999 / 1000);
    printf("ipi: target=%s trips=%u lost=%u min_ns=%llu p50_ns=%llu p99_ns=%llu p99.9_ns=%llu "
           "max_ns=%llu\n",
           mode, trips, lost, (unsigned long long)smpb_ticks_to_ns(lat[0]),
           (unsigned long long)smpb_ticks_to_ns(lat[i50]),
           (unsigned long long)smpb_ticks_to_ns(lat[i99]),
           (unsigned long long)smpb_ticks_to_ns(lat[i999]),
           (unsigned long long)smpb_ticks_to_ns(lat[trips - 1]));
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    arg_u32("trips", &trips);
    arg_u32("gap_us", &gap_us);
    if (trips < 1 || trips > MAX_TRIPS) {
        printf("ipi: error: trips=%u is out of range (1..%u)\n", trips, MAX_TRIPS);
        guest_exit(GUEST_FAIL);
    }
    smpb_tsc_init("ipi");
    if (plat.ncpus < 2) {
        printf("ipi: error: needs 2 CPUs, has %u\n", plat.ncpus);
        guest_exit(GUEST_FAIL);
    }
    bsp_apic = lapic_id();
    idt_set_gate(VEC_PING, ping_stub);
    idt_set_gate(VEC_PONG, pong_stub);
    unsigned up = smp_boot_workers(plat.ncpus); /* vCPU 1 is the target; others wait */
    if (up + 1 != plat.ncpus) {
        printf("ipi: error: not every AP came up\n");
        guest_exit(GUEST_FAIL);
    }
    measure("spin", false, plat.apic_id[1]);
    measure("halt", true, plat.apic_id[1]);
    printf("ipi: done\n");
    guest_exit(GUEST_PASS);
}
