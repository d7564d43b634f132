/*
 * emu/machine.h: one guest PC: its RAM, its devices (emu/pc.h), its firmware
 * tables and loaded kernel (firmware/), and one vCPU per guest CPU, each on a
 * host core of its own through emu/host.h.
 *
 *   machine_create()  checks the configuration, allocates RAM, builds the
 *                     platform, writes the tables, loads the kernel and puts
 *                     the BSP at its entry; APs wait for SIPI;
 *   machine_run()     starts every vCPU's run loop, waits for the machine to
 *                     stop, and returns its exit status.
 *
 * A machine stops when the guest writes the isa-debug-exit port (status
 * (v << 1) | 1, as QEMU), powers off through ACPI S5 (status 0), resets
 * (status 0, said on the log: there is no reboot yet), or triple-faults
 * (status MACHINE_EXIT_SHUTDOWN, with the faulting vCPU's state logged).
 * Whatever the guest does, the host is never at risk: guest RAM is one
 * block, every device access is bounds-checked, and a stuck guest is the
 * guest's business.
 */
#ifndef BAREMU_MACHINE_H
#define BAREMU_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/clock.h"
#include "emu/cpu/cpu.h"
#include "emu/lock.h"
#include "emu/pc.h"
#include "emu/vcpu_events.h"

#define MACHINE_EXIT_SHUTDOWN 4 /* a triple fault: even, so never mistaken for a debug-exit status */
#define MACHINE_QUANTUM 20000   /* instructions between looks at timers when no event arrives */
#define MACHINE_EV_STOP (1u << 16) /* a LAPIC_EV_MACHINE bit: the machine is stopping */
/* with more vCPUs than host cores, every this many guest PAUSEs hand the core over */
#define MACHINE_PAUSE_EXIT_EVERY 16

/* what to build */
struct machine_config {
    unsigned ncpus;
    uint64_t ram_size;
    const uint8_t *kernel; /* the -kernel image */
    size_t kernel_len;
    const uint8_t *initrd; /* may be NULL */
    size_t initrd_len;
    const char *cmdline; /* -append, may be NULL */
    struct blk_backend disk; /* -drive: the virtio-blk disk; none when disk.read is NULL */
    int64_t unix_time;   /* the RTC's start */
    bool stats;          /* log each vCPU's retired instructions when the machine stops */
};

struct machine;

struct vcpu {
    struct machine *m;
    unsigned index;
    enum vcpu_state state;
    struct cpu_bus bus; /* this vCPU's view: its own LAPIC window */
    struct cpu cpu;
};

struct machine {
    struct machine_config cfg;
    uint8_t *ram;
    struct clock clock;
    struct pc pc;
    struct vcpu *vcpus;
    struct spinlock split_lock; /* split locked operations, one for all vCPUs */
    volatile int stopping; /* set once; every vCPU returns */
    int exit_status;
};

/* 0, or -1 with err naming what is wrong (a bad size, image or vCPU count) */
int machine_create(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen);
/* run until the machine stops; returns its exit status */
int machine_run(struct machine *m);
/* stop every vCPU with this status (first caller wins); reason goes to the log */
void machine_stop(struct machine *m, int status, const char *reason);

#endif
