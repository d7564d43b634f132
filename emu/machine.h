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
#include "emu/ram.h"
#include "firmware/fw.h"
#include "emu/vcpu_events.h"

#define MACHINE_EXIT_SHUTDOWN                                                                      \
    4                          /* a triple fault: even, so never mistaken for a debug-exit status */
#define MACHINE_QUANTUM  20000 /* instructions between looks at timers when no event arrives */
#define MACHINE_EV_STOP  (1u << 16) /* a LAPIC_EV_MACHINE bit: the machine is stopping */
#define MACHINE_EV_DUMP  (1u << 17) /* a LAPIC_EV_MACHINE bit: log your registers */
#define MACHINE_EV_PAUSE (1u << 18) /* a LAPIC_EV_MACHINE bit: park until the pause is over */
/* with more vCPUs than host cores, every this many guest PAUSEs hand the core over */
#define MACHINE_PAUSE_EXIT_EVERY 16
/*
 * Deterministic mode (-deterministic): the vCPUs take turns on the caller's
 * thread, in index order, each up to quantum instructions a turn (less when
 * it halts, exits on PAUSE, or a -hash-at count falls inside the turn).
 * Guest time is the total of instructions every vCPU has retired (events
 * count as one), one guest tick each at MACHINE_DET_HZ; when every vCPU is
 * halted, time jumps to the earliest timer deadline, and with none armed the
 * machine stops, since nothing could ever wake it. The RTC starts at
 * MACHINE_DET_UNIX_TIME and host console input is not read. So a run is a
 * function of its command line and its files alone.
 */
#define MACHINE_DET_QUANTUM   10000
#define MACHINE_DET_HZ        1000000000u /* one instruction, one nanosecond */
#define MACHINE_DET_UNIX_TIME 946684800   /* 2000-01-01 00:00:00 UTC */

/* what to build */
struct machine_config {
    unsigned ncpus;
    uint64_t ram_size;
    const uint8_t *kernel; /* the -kernel image; NULL with -bios */
    size_t kernel_len;
    const uint8_t *initrd; /* may be NULL */
    size_t initrd_len;
    const char *cmdline; /* -append, may be NULL */
    /* -bios: a ROM image the BSP starts in at F000:FFF0 (no -kernel then) */
    const uint8_t *bios;
    size_t bios_len;
    /* -debugcon: port 0x402's bytes (SeaBIOS's log); NULL: no debugcon */
    void (*debugcon)(void *opaque, uint8_t byte);
    void *debugcon_opaque;
    struct blk_backend disk; /* -drive: the virtio-blk disk; none when disk.read is NULL */
    int64_t unix_time;       /* the RTC's start */
    bool stats;              /* log each vCPU's retired instructions when the machine stops */
    unsigned debug;          /* -d: DEBUG_* (emu/debug.h) */
    unsigned rip_history;    /* -rip-history: entries per vCPU, 0 for none */
    bool
        deterministic; /* -deterministic: every vCPU on the caller's thread, time by instructions */
    /* -io-core: host thread/core 0 runs the platform's devices and console,
     * vCPU i runs on host thread/core i + 1 (else: vCPU i on i, and the
     * vCPUs poll the devices themselves) */
    bool io_core;
    unsigned quantum; /* deterministic: instructions per vCPU turn (0: MACHINE_DET_QUANTUM) */
    const uint64_t
        *hash_at; /* deterministic: log the state hash at these total counts, ascending */
    unsigned nhash_at;
};

struct machine;

struct vcpu {
    struct machine *m;
    unsigned index;
    enum vcpu_state state;
    bool shut_down;     /* it triple-faulted */
    struct cpu_bus bus; /* this vCPU's view: its own LAPIC window */
    struct cpu cpu;
};

#define MACHINE_E820_ENTRY 20 /* QEMU's struct e820_entry: le64 address, le64 length, le32 type */

/* the bytes behind the machine's fw_cfg items (emu/dev/fwcfg.h keeps pointers) */
struct machine_fwcfg {
    uint8_t ram_size[8], nb_cpus[2], max_cpus[2], boot_menu[2];
    uint8_t kernel_size[4], initrd_size[4], cmdline_size[4];
    uint8_t e820[FW_E820_MAX * MACHINE_E820_ENTRY];
};

struct machine {
    struct machine_config cfg;
    struct guest_ram ram;
    struct machine_fwcfg fwcfg_data;
    struct clock clock;
    struct pc pc;
    struct vcpu *vcpus;
    struct codemap code;        /* RAM's write tracking for the vCPUs' block caches and DMA */
    struct cpu **cpu_list;      /* every vCPU's struct cpu, for code.cpus */
    struct spinlock pause_lock; /* one pause round at a time (emu/pause.c) */
    uint32_t pause_gen;         /* rounds ended so far */
    uint32_t parked;            /* vCPUs parked in this round */
    struct spinlock dump_lock;  /* one register dump on the log at a time */
    /* deterministic mode: the clock's source is det_time, plus what the vCPU
     * whose turn it is (det_cur) has retired since its turn began (det_start) */
    uint64_t det_time, det_start;
    const struct vcpu *det_cur;
    unsigned host_base;    /* vCPU i is host thread/core i + host_base (1 with io_core) */
    uint64_t io_wake;      /* io_core: the deadline the device thread sleeps until; 0 while awake */
    volatile int stopping; /* set once; every vCPU returns */
    int exit_status;
};

/* 0, or -1 with err naming what is wrong (a bad size, image or vCPU count) */
int machine_create(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen);
/* run until the machine stops; returns its exit status */
int machine_run(struct machine *m);
/* stop every vCPU with this status (first caller wins); reason goes to the log */
void machine_stop(struct machine *m, int status, const char *reason);
/*
 * Ask every vCPU to log its registers at its next instruction boundary (a
 * halted one wakes for it and sleeps again). Only atomics and a kick: safe
 * from a signal handler (the hosted program's SIGUSR1).
 */
void machine_request_dump(struct machine *m);

/*
 * A 64-bit hash of the machine's state (emu/statehash.c): guest RAM, every
 * vCPU's registers and LAPIC, the clock. Call it with the machine paused or
 * stopped, or between deterministic turns.
 */
uint64_t machine_state_hash(const struct machine *m);

/*
 * The pause protocol (emu/pause.c). machine_pause() kicks every vCPU but
 * self (a vCPU index, or -1 from outside any vCPU), each parks at its next
 * instruction boundary, and it returns once all have: the caller then has
 * the machine to itself (guest RAM, every vCPU's state, the devices) until
 * machine_resume(). A vCPU that is itself waiting to pause the machine
 * parks where it waits, before its instruction has changed anything, so
 * its state is that of the boundary before it. A machine that is stopping
 * does not wait for vCPUs that have returned. In deterministic mode there is
 * nothing to wait for.
 */
void machine_pause(struct machine *m, int self);
void machine_resume(struct machine *m);
/* the run loop: vCPU self took MACHINE_EV_PAUSE; wait for the round to end */
void machine_park(struct machine *m, unsigned self);

#endif
