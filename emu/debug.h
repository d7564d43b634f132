/*
 * emu/debug.h: what an emulator user looks at when a guest goes wrong, as
 * QEMU's -d shows it (docs/user-guide.md, "Debugging a guest"):
 *
 *   -d int           every exception and interrupt delivered: vCPU, vector,
 *                    error code, CS:RIP, CR2 for #PF, the bytes of a #UD;
 *   -d cpu_reset     each vCPU's registers at the boot entry, at INIT, and
 *                    each SIPI;
 *   -d guest_errors  every access nobody claims (MMIO, ports) and every
 *                    RDMSR/WRMSR that raises #GP, each time, with CS:RIP;
 *   -rip-history N   each vCPU's last N instruction addresses (and the
 *                    events delivered between them), printed when the
 *                    machine stops abnormally.
 *
 * Whatever the options, an abnormal stop (a triple fault) logs every vCPU's
 * registers once they have all stopped. All of it costs nothing on the
 * instruction path when off (emu/cpu/cpu.h, struct cpu_debug).
 */
#ifndef BAREMU_DEBUG_H
#define BAREMU_DEBUG_H

#include <stddef.h>
#include <stdint.h>

#include "emu/cpu/cpu.h"

/* -d items */
#define DEBUG_INT          (1u << 0)
#define DEBUG_CPU_RESET    (1u << 1)
#define DEBUG_GUEST_ERRORS (1u << 2)

struct debug_item {
    const char *name; /* as -d takes it */
    unsigned flag;
    const char *help;
};
extern const struct debug_item debug_items[];
extern const unsigned debug_nitems;

#define DEBUG_RIPS_MAX (1u << 20) /* -rip-history N: 1..DEBUG_RIPS_MAX */

/* the vCPU hooks that carry out these -d flags, or NULL when none is needed */
const struct cpu_debug *debug_cpu_hooks(unsigned flags);

/*
 * A vCPU's registers and state as text, several lines ending in a newline,
 * with snprintf semantics. state names its power state ("running", ...).
 */
size_t debug_format_cpu(char *buf, size_t len, const struct cpu *c, const char *state);

/* log the last n entries of a vCPU's RIP history, oldest first (nothing when it is off) */
void debug_log_rips(const struct cpu *c, uint64_t n);

/* "0010:ffffffff81000000": CS:RIP as the log shows it, in buf */
const char *debug_cs_rip(char buf[32], const struct cpu *c);

#endif
