/*
 * emu/machine.c: a guest PC put together, and the vCPU run loop.
 *
 * The run loop (DESIGN.md, "How a vCPU runs"): interpret a block; at the
 * boundary look at the LAPIC's event word and do what vcpu_next_action()
 * says (INIT, SIPI, NMI, ExtINT, an interrupt); on HLT or in wait-for-SIPI,
 * sleep in host_wait() until kicked or until the earliest timer deadline
 * (this vCPU's LAPIC timer, or the platform's timers, which whoever wakes
 * first drives); repeat until the machine stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/host.h"
#include "emu/machine.h"
#include "emu/platform.h"
#include "firmware/boot.h"
#include "firmware/fw.h"

#define PHYS_BITS 40        /* MAXPHYADDR the vCPUs report */

/* ---- each vCPU's view of the machine (struct cpu_bus callbacks) ------------- */

static uint64_t vcpu_mmio_read(void *opaque, uint64_t pa, unsigned size)
{
    struct vcpu *v = opaque;
    return bus_mmio_read(&v->m->pc.bus, &v->m->pc.local[v->index], pa, size);
}

static void vcpu_mmio_write(void *opaque, uint64_t pa, uint64_t val, unsigned size)
{
    struct vcpu *v = opaque;
    bus_mmio_write(&v->m->pc.bus, &v->m->pc.local[v->index], pa, val, size);
}

static uint32_t vcpu_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct vcpu *v = opaque;
    return bus_pio_read(&v->m->pc.bus, port, size);
}

static void vcpu_io_out(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    struct vcpu *v = opaque;
    bus_pio_write(&v->m->pc.bus, port, val, size);
}

static uint64_t vcpu_tsc(void *opaque)
{
    struct vcpu *v = opaque;
    return clock_now(&v->m->clock);
}

static int vcpu_rdmsr(void *opaque, uint32_t msr, uint64_t *value)
{
    struct vcpu *v = opaque;
    if (!lapic_owns_msr(msr))
        return -1;
    return lapic_rdmsr(&v->m->pc.lapic[v->index], msr, value) == LAPIC_OK ? 0 : -1;
}

static int vcpu_wrmsr(void *opaque, uint32_t msr, uint64_t value)
{
    struct vcpu *v = opaque;
    if (!lapic_owns_msr(msr))
        return -1;
    return lapic_wrmsr(&v->m->pc.lapic[v->index], msr, value) == LAPIC_OK ? 0 : -1;
}

static uint64_t vcpu_cr8_read(void *opaque)
{
    struct vcpu *v = opaque;
    return lapic_read_cr8(&v->m->pc.lapic[v->index]);
}

static void vcpu_cr8_write(void *opaque, uint64_t value)
{
    struct vcpu *v = opaque;
    lapic_write_cr8(&v->m->pc.lapic[v->index], value);
}

/* ---- the platform's calls into the machine (struct pc_config) -------------- */

static void pc_kick(void *opaque, unsigned vcpu)
{
    (void)opaque;
    host_kick(vcpu);
}

static void pc_console_tx(void *opaque, uint8_t byte)
{
    (void)opaque;
    host_console_write((const char *)&byte, 1);
}

static size_t pc_console_rx(void *opaque, uint8_t *buf, size_t len)
{
    (void)opaque;
    return host_console_read((char *)buf, len);
}

static void pc_exit(void *opaque, int status) { machine_stop(opaque, status, NULL); }
static void pc_poweroff(void *opaque) { machine_stop(opaque, 0, "the guest powered off (ACPI S5)"); }
static void pc_reset(void *opaque)
{
    machine_stop(opaque, 0, "the guest asked for a reset; rebooting is not supported yet, stopping");
}

static uint64_t host_clock_source(void *opaque)
{
    (void)opaque;
    return host_tsc();
}

/* ---- building it ---------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return -1;
}

/* the boot protocol's entry state on the BSP (firmware/fw.h struct fw_entry) */
static void enter_guest(struct cpu *c, const struct fw_entry *e)
{
    if (e->mode == FW_ENTRY_PROTECTED32) {
        cpu_enter_protected32(c, e->eip);
        c->gpr[REG_RAX] = e->eax;
        c->gpr[REG_RBX] = e->ebx;
    } else {
        cpu_enter_long64(c, e->rip, e->cr3);
        c->gpr[REG_RSI] = e->rsi;
    }
    if (e->gdt_limit) { /* the loader's GDT, whose selectors the entry state names */
        c->gdtr.base = e->gdt_base;
        c->gdtr.limit = e->gdt_limit;
        c->seg[SEG_CS].sel = e->cs;
        for (int s = 0; s < NUM_SEGS; s++)
            if (s != SEG_CS)
                c->seg[s].sel = e->ds;
    }
}

int machine_create(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (cfg->ncpus < 1 || cfg->ncpus > PC_MAX_CPUS)
        return fail(err, errlen, "-smp: vCPU count out of range");
    if (cfg->ram_size > PLAT_MMIO_HOLE_BASE)
        return fail(err, errlen,
                    "-m: more than 3 GiB of guest RAM is not supported yet (RAM above 4 GiB)");
    if (!cfg->kernel)
        return fail(err, errlen, "-kernel: a guest kernel is required");

    m->ram = host_ram_alloc(cfg->ram_size);
    if (!m->ram)
        return fail(err, errlen, "-m: cannot allocate the guest RAM");
    /* the guest TSC runs at the host clock's rate: one offset, one ratio (1:1) */
    clock_init(&m->clock, host_clock_source, NULL, host_tsc_hz(), host_tsc_hz());

    struct pc_config pcc = {
        .ncpu = cfg->ncpus,
        .clock = &m->clock,
        .lapic_timer_hz = m->clock.hz,
        .phys_bits = PHYS_BITS,
        .unix_time = cfg->unix_time,
        .ram = m->ram,
        .ram_size = cfg->ram_size,
        .disk = cfg->disk,
        .kick = pc_kick,
        .console_tx = pc_console_tx,
        .console_rx = pc_console_rx,
        .exit = pc_exit,
        .poweroff = pc_poweroff,
        .reset = pc_reset,
        .opaque = m,
    };
    if (pc_init(&m->pc, &pcc) < 0)
        return fail(err, errlen, "the platform could not be built (see the log)");

    struct fw_config fwc = {.ncpus = cfg->ncpus, .ram_size = cfg->ram_size, .cpu_style = FW_CPU_PROCESSOR};
    struct fw_layout layout;
    if (fw_build(&fwc, m->ram, cfg->ram_size, &layout, err, errlen) < 0)
        return -1;
    struct fw_entry entry;
    char why[256];
    if (fw_load_kernel(&fwc, m->ram, cfg->ram_size, &layout, cfg->kernel, cfg->kernel_len,
                       cfg->cmdline, cfg->initrd, cfg->initrd_len, &entry, why, sizeof why) < 0) {
        /* the loaders speak of "kernel: ..." or "<protocol>: ..."; name the option */
        const char *rest = strncmp(why, "kernel: ", 8) == 0 ? why + 8 : why;
        snprintf(err, errlen, "-kernel: %s", rest);
        return -1;
    }

    m->vcpus = calloc(cfg->ncpus, sizeof *m->vcpus);
    if (!m->vcpus)
        return fail(err, errlen, "-smp: no memory for the vCPUs");
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        struct vcpu *v = &m->vcpus[i];
        v->m = m;
        v->index = i;
        v->state = vcpu_power_on_state(i);
        v->bus = (struct cpu_bus){
            .ram = m->ram,
            .ram_size = cfg->ram_size,
            .opaque = v,
            .mmio_read = vcpu_mmio_read,
            .mmio_write = vcpu_mmio_write,
            .io_in = vcpu_io_in,
            .io_out = vcpu_io_out,
            .tsc = vcpu_tsc,
            .shared_split_lock = &m->split_lock,
            .rdmsr = vcpu_rdmsr,
            .wrmsr = vcpu_wrmsr,
            .cr8_read = vcpu_cr8_read,
            .cr8_write = vcpu_cr8_write,
        };
        cpu_init(&v->cpu, &v->bus, i);
        v->cpu.feat.apic_id = i;
        v->cpu.feat.ncpus = cfg->ncpus;
        v->cpu.feat.tsc_hz = m->clock.hz;
        v->cpu.feat.lapic_hz = m->clock.hz;
        v->cpu.events = &m->pc.lapic[i].events;
        lapic_set_tsc_offset(&m->pc.lapic[i], &v->cpu.tsc_offset);
        /* more vCPUs than cores: a guest spinning on a lock another vCPU
         * holds gives way, or the holder may wait a whole host time slice */
        if (cfg->ncpus > host_cpu_count())
            v->cpu.pause_exit_every = MACHINE_PAUSE_EXIT_EVERY;
    }
    enter_guest(&m->vcpus[0].cpu, &entry);
    return 0;
}

/* ---- running it ------------------------------------------------------------- */

void machine_stop(struct machine *m, int status, const char *reason)
{
    if (__atomic_exchange_n(&m->stopping, 1, __ATOMIC_SEQ_CST))
        return; /* the first reason wins */
    m->exit_status = status;
    if (reason)
        host_log("baremu: %s\n", reason);
    /* a machine bit in every event word ends cpu_run() at the next boundary;
     * posting it kicks the vCPU out of host_wait() too */
    for (unsigned i = 0; i < m->cfg.ncpus; i++)
        lapic_post_events(&m->pc.lapic[i], MACHINE_EV_STOP);
}

static bool stopping(const struct machine *m) { return __atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE); }

/* drive the timers whose time has come: this vCPU's LAPIC timer and the platform's */
static void poll_timers(struct vcpu *v)
{
    struct machine *m = v->m;
    uint64_t now = clock_now(&m->clock);
    if (lapic_next_deadline(&m->pc.lapic[v->index]) <= now)
        lapic_timer_poll(&m->pc.lapic[v->index]);
    if (pc_next_deadline(&m->pc) <= now)
        pc_poll(&m->pc);
}

/* do what the event word asks; false if nothing could be taken */
static bool take_event(struct vcpu *v)
{
    struct machine *m = v->m;
    struct vcpu_action a = vcpu_next_action(&m->pc.lapic[v->index], &v->state, cpu_irq_flags(&v->cpu));
    switch (a.kind) {
    case VCPU_ACT_NONE:
    case VCPU_ACT_MACHINE: /* pause requests: none are sent yet */
        return a.kind != VCPU_ACT_NONE;
    case VCPU_ACT_INIT:
        cpu_init_reset(&v->cpu);
        return true;
    case VCPU_ACT_SIPI:
        cpu_start_sipi(&v->cpu, a.vector);
        return true;
    case VCPU_ACT_NMI:
        cpu_nmi(&v->cpu);
        return true;
    case VCPU_ACT_EXTINT:
        cpu_interrupt(&v->cpu, pic_read_irq(&m->pc.pic));
        return true;
    case VCPU_ACT_INTR:
        cpu_interrupt(&v->cpu, a.vector);
        return true;
    }
    return false;
}

static void shutdown_report(struct vcpu *v)
{
    char msg[160];
    snprintf(msg, sizeof msg,
             "triple fault on vCPU %u (last exception %u, error code %#x) at rip %#llx; stopping",
             v->index, v->cpu.exc.vector, v->cpu.exc.error, (unsigned long long)v->cpu.rip);
    machine_stop(v->m, MACHINE_EXIT_SHUTDOWN, msg);
}

/* sleep until kicked or until the earliest deadline that concerns this vCPU */
static void vcpu_sleep(struct vcpu *v)
{
    struct machine *m = v->m;
    uint64_t t = lapic_next_deadline(&m->pc.lapic[v->index]), p = pc_next_deadline(&m->pc);
    if (p < t)
        t = p;
    host_wait(v->index, t == CLOCK_NEVER ? HOST_NO_DEADLINE : clock_to_source(&m->clock, t));
}

/*
 * Pending events that the CPU holds back (interrupts while IF=0, an NMI while
 * NMIs are blocked) would end cpu_run at every boundary. Take them out of the
 * event word for one run; the CPU puts them back the moment an instruction
 * lets them through (STI, POPF, IRET, ...: cpu.h, cpu_unhold_events), so
 * they are taken at the next boundary after it, and whatever is still held
 * goes back after the run. An ExtINT follows the 8259's INT line, which may
 * drop meanwhile: the CPU puts back an INTR hint for it, and the line is
 * looked at again when the run ends. Returns what was taken.
 */
static uint32_t hold_events(struct vcpu *v)
{
    struct lapic *l = &v->m->pc.lapic[v->index];
    unsigned f = cpu_irq_flags(&v->cpu);
    uint32_t if_mask = f & VCPU_IF ? 0 : LAPIC_EV_INTR | LAPIC_EV_EXTINT;
    uint32_t nmi_mask = f & VCPU_NMI_BLOCKED ? LAPIC_EV_NMI : 0;
    if (!(lapic_events(l) & (if_mask | nmi_mask)))
        return 0;
    uint32_t held = lapic_take_events(l, if_mask | nmi_mask) & (if_mask | nmi_mask);
    v->cpu.held_for_if = held & if_mask ? LAPIC_EV_INTR : 0;
    v->cpu.held_for_nmi = held & nmi_mask;
    return held;
}

static void unhold_events(struct vcpu *v, uint32_t held)
{
    cpu_unhold_events(&v->cpu);
    if ((held & LAPIC_EV_EXTINT) && pic_int_asserted(&v->m->pc.pic))
        lapic_restore_events(&v->m->pc.lapic[v->index], LAPIC_EV_EXTINT);
}

static void vcpu_loop(void *arg)
{
    struct vcpu *v = arg;
    while (!stopping(v->m)) {
        take_event(v);
        if (v->state != VCPU_RUNNING) {
            vcpu_sleep(v);
            poll_timers(v);
            continue;
        }
        uint32_t held = hold_events(v);
        enum cpu_exit why = cpu_run(&v->cpu, MACHINE_QUANTUM);
        if (held)
            unhold_events(v, held);
        switch (why) {
        case CPU_EXIT_HLT:
            v->state = VCPU_HALTED;
            break;
        case CPU_EXIT_SHUTDOWN:
        case CPU_EXIT_EXCEPTION: /* not in a machine; treated as the shutdown it would be */
            shutdown_report(v);
            break;
        case CPU_EXIT_PAUSE:
            host_pause(v->index);
            break;
        case CPU_EXIT_BUDGET:
        case CPU_EXIT_EVENT:
            break;
        }
        poll_timers(v);
    }
}

int machine_run(struct machine *m)
{
    for (unsigned i = 0; i < m->cfg.ncpus; i++)
        if (host_start_vcpu(i, vcpu_loop, &m->vcpus[i]) < 0) {
            machine_stop(m, MACHINE_EXIT_SHUTDOWN, "a vCPU could not be started");
            break;
        }
    host_join_vcpus();
    if (m->cfg.stats) {
        uint64_t total = 0;
        for (unsigned i = 0; i < m->cfg.ncpus; i++) {
            host_log("baremu: vCPU %u retired %llu instructions\n", i,
                     (unsigned long long)m->vcpus[i].cpu.icount);
            total += m->vcpus[i].cpu.icount;
        }
        host_log("baremu: all vCPUs retired %llu instructions\n", (unsigned long long)total);
    }
    return m->exit_status;
}
