/*
 * emu/host.h: everything the emulator needs from whatever runs it, and
 * nothing else (DESIGN.md, "The host interface").
 *
 * Two implementations: kernel/host.c on bare metal (one physical core per
 * vCPU, host IPIs, TSC deadlines) and hosted/host.c on Linux (pthreads,
 * futexes, clock_gettime). emu/ and firmware/ reach the world only through
 * these calls.
 *
 * Every function may be called from any vCPU's core at any time unless it
 * says otherwise.
 */
#ifndef BAREMU_HOST_H
#define BAREMU_HOST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- cores ------------------------------------------------------------- */

/* how many vCPUs the host can run in parallel, one per core */
unsigned host_cpu_count(void);

/*
 * Run fn(arg) on host core index (bare metal: index 0 runs on the boot CPU
 * inside host_join_vcpus(), the others on the core that came up as that
 * index; hosted: a new thread, pinned to CPU index where the machine has the
 * cores). The machine starts vCPU i as index i, or i + 1 with -io-core. Returns 0, or -1 with a
 * message logged when the host cannot provide the core.
 */
int host_start_vcpu(unsigned index, void (*fn)(void *arg), void *arg);

/* wait until every fn started with host_start_vcpu has returned */
void host_join_vcpus(void);

/*
 * Kicks. host_kick(i) makes vCPU i return from host_wait(), or, if it is not
 * waiting, makes its next host_wait() return at once: a kick is never lost.
 * Cheap when vCPU i is running (no IPI: the run loop polls its event word).
 */
void host_kick(unsigned index);

/*
 * Park the calling vCPU until it is kicked or the host TSC reaches deadline
 * (HOST_NO_DEADLINE: no deadline). Returns true if woken by a kick.
 * Only vCPU index calls host_wait(index).
 */
#define HOST_NO_DEADLINE UINT64_MAX
bool host_wait(unsigned index, uint64_t deadline);

/*
 * The calling vCPU spins in a guest PAUSE loop, waiting for another vCPU:
 * where vCPUs outnumber cores (hosted), let another thread have the core;
 * on bare metal, where every vCPU has a core, a host PAUSE.
 */
void host_pause(unsigned index);

/* ---- time -------------------------------------------------------------- */

/* a monotonic clock counting at host_tsc_hz(), the same on every core */
uint64_t host_tsc(void);
uint64_t host_tsc_hz(void);

/* ---- console ------------------------------------------------------------ */

void host_console_write(const char *buf, size_t len);
/* non-blocking: bytes read, 0 when none are waiting */
size_t host_console_read(char *buf, size_t len);

/* ---- guest memory ------------------------------------------------------- */

/*
 * bytes of guest RAM, zeroed, aligned to 2 MiB and physically contiguous on
 * bare metal; NULL with a message logged when there is not enough.
 */
void *host_ram_alloc(uint64_t bytes);

/* ---- log and panic ------------------------------------------------------ */

void host_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void host_vlog(const char *fmt, va_list ap);
/* a broken host invariant: never for guest misbehaviour, which stops the guest instead */
__attribute__((noreturn, format(printf, 1, 2))) void host_panic(const char *fmt, ...);

#endif
