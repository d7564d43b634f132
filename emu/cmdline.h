/*
 * cmdline.h: the QEMU-style command line shared by both hosts.
 *
 * The hosted program hands over main()'s argv; the bare-metal kernel splits
 * the Multiboot2 command line (MB2 spec 3.6.3, tag type 1) with
 * cmdline_split() first. Option syntax follows qemu-system-x86_64(1):
 *
 *   -smp N | -smp cpus=N                  1..BAREMU_MAX_VCPUS, default 1
 *   -m SIZE | -m size=SIZE                default 128M, 2M..1T
 *   -kernel FILE  -initrd FILE  -append STRING
 *   -bios FILE                            hosted only: a ROM to start at the reset vector
 *   -debugcon stdio|file:PATH             hosted only: port 0x402 (SeaBIOS's log)
 *   -drive file=FILE[,format=raw][,if=virtio]
 *   -serial stdio|none                    default stdio
 *   -exit  -hostbench  -fault-test ud|pf|de|ap-ud|stack   bare-metal kernel only
 *   -dump-tables DIR                      hosted only: write the firmware tables, exit
 *   -stats                                per-vCPU retired instructions at the end
 *   -d ITEM[,ITEM]...                     log items (emu/debug.h): int, cpu_reset, guest_errors
 *   -rip-history N                        keep each vCPU's last N RIPs, 1..2^20, for a bad stop
 *   -io-core                              core (thread) 0 keeps the devices and console; vCPU i
 *                                         runs on core i + 1
 *   -deterministic                        every vCPU on one host thread, round-robin, time by
 *                                         instructions (docs/user-guide.md)
 *   -quantum N                            with -deterministic: instructions per turn, default 10000
 *   -hash-at N[,N]...                     with -deterministic: log the state hash at these counts
 *   -h | -help                            usage
 *
 * SIZE is decimal, with an optional fraction and an optional one-letter
 * suffix in either case: B (bytes), K, M, G, T, P, E (powers of 1024). No
 * suffix means MiB. "512MB" is refused, as QEMU refuses it. Like QEMU, the
 * size is rounded up to a multiple of 8 KiB. A fraction is truncated to nine
 * decimal places; a fraction of a byte ("1.5B") is refused.
 *
 * As in QEMU, "--opt" is the same as "-opt", and a -drive value escapes a
 * comma in the file name by doubling it ("file=a,,b" is the file "a,b").
 *
 * Repeated options: the last one wins, as in QEMU, except -drive, which may
 * be given once (the machine has one disk), and -h, which ends parsing at
 * once (QEMU prints its help as soon as it meets -h), so nothing after it is
 * looked at.
 *
 * Nothing here allocates, touches files or keeps state: every function may
 * run on several cores at once.
 */
#ifndef BAREMU_CMDLINE_H
#define BAREMU_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BAREMU_MAX_VCPUS 1024

#define CMDLINE_KIB (UINT64_C(1) << 10)
#define CMDLINE_MIB (UINT64_C(1) << 20)
#define CMDLINE_GIB (UINT64_C(1) << 30)
#define CMDLINE_TIB (UINT64_C(1) << 40)

#define BAREMU_DEFAULT_RAM      (128 * CMDLINE_MIB)
#define BAREMU_MIN_RAM          (2 * CMDLINE_MIB)
#define BAREMU_MAX_RAM          CMDLINE_TIB
#define CMDLINE_QUANTUM_DEFAULT 10000
#define CMDLINE_QUANTUM_MAX     100000000
#define CMDLINE_HASH_AT_MAX     16

#define BAREMU_RAM_ALIGN (8 * CMDLINE_KIB) /* QEMU rounds -m up to 8 KiB */

/* which program is parsing: an option names the hosts it is valid in */
enum cmdline_host {
    CMDLINE_HOSTED = 1u << 0,    /* build/baremu, the Linux program */
    CMDLINE_BAREMETAL = 1u << 1, /* build/baremu.elf, booted by GRUB */
};

/* -fault-test: a host CPU exception the kernel provokes on purpose */
enum cmdline_fault {
    CMDLINE_FAULT_NONE,
    CMDLINE_FAULT_UD,    /* ud2: #UD */
    CMDLINE_FAULT_PF,    /* a write to an unmapped address: #PF */
    CMDLINE_FAULT_DE,    /* a division by zero: #DE */
    CMDLINE_FAULT_AP_UD, /* ud2 on the last application processor, once all are up */
    CMDLINE_FAULT_STACK, /* overflow the boot stack into its guard page: #PF, then #DF on its IST
                            stack */
};

/*
 * The machine the command line asks for. The strings point into the argv
 * given to cmdline_parse() and live as long as it does.
 */
struct baremu_config {
    unsigned smp;            /* vCPUs, 1..BAREMU_MAX_VCPUS */
    bool smp_all;            /* -smp all: smp is set by cmdline_resolve_smp() */
    uint64_t ram_bytes;      /* guest RAM, BAREMU_MIN_RAM..BAREMU_MAX_RAM, 8 KiB aligned */
    const char *kernel;      /* -kernel, or NULL */
    const char *initrd;      /* -initrd, or NULL */
    const char *append;      /* -append, or NULL */
    const char *drive;       /* the file= of -drive, or NULL */
    const char *bios;        /* -bios, or NULL */
    const char *debugcon;    /* -debugcon: "stdio", or the PATH of file:PATH; NULL: none */
    const char *dump_tables; /* -dump-tables: the directory, or NULL */
    bool stats;              /* -stats: per-vCPU instruction counts at the end */
    unsigned debug;          /* -d: DEBUG_* bits (emu/debug.h) */
    unsigned rip_history;    /* -rip-history: entries per vCPU, 0: off */
    bool io_core;            /* -io-core */
    bool deterministic;      /* -deterministic */
    unsigned quantum;        /* -quantum: instructions per vCPU turn in deterministic mode */
    uint64_t
        hash_at[CMDLINE_HASH_AT_MAX]; /* -hash-at: strictly increasing total instruction counts */
    unsigned nhash_at;
    bool serial_stdio;             /* guest UART on the host console (-serial stdio) */
    bool help;                     /* -h seen: print cmdline_usage() and stop */
    bool exit_when_done;           /* -exit: end QEMU through isa-debug-exit when done */
    bool hostbench;                /* -hostbench: benchmark the host instead of a guest */
    enum cmdline_fault fault_test; /* -fault-test: provoke a host exception */
};

/* the defaults: 1 vCPU, 128 MiB, -serial stdio, no files */
void cmdline_defaults(struct baremu_config *cfg);

/*
 * Parse argv[0..argc-1] into cfg, on top of what cfg holds (call
 * cmdline_defaults() first). argv holds the options only: main()'s argv[0],
 * the program name, is not passed (pass argc - 1, argv + 1). The -drive value
 * is cut in place (its file name is NUL-terminated inside the argv string),
 * so the strings must be writable; they are changed only on success.
 * host is CMDLINE_HOSTED or CMDLINE_BAREMETAL.
 *
 * Returns 0, or -1 with a one-line message in err (no newline) that names
 * the option and the bad value, e.g. "-smp: 'abc' is not a number". err may
 * be NULL or errlen 0. cfg may be partly filled in after an error.
 */
int cmdline_parse(struct baremu_config *cfg, int argc, char *const argv[], unsigned host, char *err,
                  size_t errlen);

/* -smp all: one vCPU per host core (cores - 1 with -io-core); nothing otherwise */
void cmdline_resolve_smp(struct baremu_config *cfg, unsigned cores);

/*
 * Split a command line, as GRUB hands it over, in place into at most
 * max_args words in argv (no NULL is stored after the last one). Words are
 * separated by blanks (space, tab, newline, CR). Single quotes keep
 * everything up to the next single quote. A backslash keeps the next
 * character as it is, outside single quotes; inside double quotes too, since
 * GRUB writes every \, ' and " of an argument with a backslash before it and
 * puts an argument that holds a space in double quotes.
 *
 * Returns the number of words, or -1 with err set: "unterminated quote",
 * "backslash at end of line" or "too many arguments (max N)".
 */
int cmdline_split(char *line, char *argv[], int max_args, char *err, size_t errlen);

/*
 * A one-line summary of the machine for the console, with snprintf
 * semantics: "4 vCPUs, 512 MiB RAM, kernel K, initrd I, drive D,
 * append 'S', serial stdio" (the parts not given are left out).
 */
size_t cmdline_describe(char *buf, size_t len, const struct baremu_config *cfg);

/*
 * The usage text for one host, several lines ending in a newline, into buf
 * with snprintf semantics: returns the length of the whole text, and writes
 * at most len bytes including the NUL.
 */
size_t cmdline_usage(char *buf, size_t len, unsigned host);

#endif
