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

#include "emu/debug.h"
#include "emu/host.h"
#include "emu/machine.h"
#include "emu/platform.h"
#include "firmware/boot.h"
#include "firmware/fw.h"

/* ---- each vCPU's view of the machine (struct cpu_bus callbacks) ------------- */

/* -d guest_errors: an access that no device claims, each time, with where the vCPU is */
static void log_unassigned(struct vcpu *v, const char *space, uint64_t addr, unsigned size,
                           bool write, uint64_t val)
{
    char where[32];
    if (write)
        host_log("baremu: vCPU %u: unassigned %s write of 0x%llx at 0x%llx, size %u, from %s\n",
                 v->index, space, (unsigned long long)val, (unsigned long long)addr, size,
                 debug_cs_rip(where, &v->cpu));
    else
        host_log("baremu: vCPU %u: unassigned %s read at 0x%llx, size %u, from %s\n", v->index,
                 space, (unsigned long long)addr, size, debug_cs_rip(where, &v->cpu));
}

static void check_mmio(struct vcpu *v, uint64_t pa, unsigned size, bool write, uint64_t val)
{
    if (!bus_mmio_claimed(&v->m->pc.bus, &v->m->pc.local[v->index], pa, size, write))
        log_unassigned(v, "mmio", pa, size, write, val);
}

static void check_pio(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t val)
{
    if (!bus_pio_claimed(&v->m->pc.bus, port, size, write))
        log_unassigned(v, "port", port, size, write, val);
}

/*
 * -io-core: after a device access, wake the device thread if the platform's
 * next deadline is now earlier than the one it sleeps until. The fence
 * pairs with the one in io_loop(): either this sees its new io_wake, or
 * it sees this access's deadline.
 */
static void io_core_check(struct machine *m)
{
    if (!m->cfg.io_core)
        return;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (pc_next_deadline(&m->pc) < __atomic_load_n(&m->io_wake, __ATOMIC_SEQ_CST))
        host_kick(0);
}

static uint64_t vcpu_mmio_read(void *opaque, uint64_t pa, unsigned size)
{
    struct vcpu *v = opaque;
    if (v->m->cfg.debug & DEBUG_GUEST_ERRORS)
        check_mmio(v, pa, size, false, 0);
    uint64_t val = bus_mmio_read(&v->m->pc.bus, &v->m->pc.local[v->index], pa, size);
    io_core_check(v->m);
    return val;
}

static void vcpu_mmio_write(void *opaque, uint64_t pa, uint64_t val, unsigned size)
{
    struct vcpu *v = opaque;
    if (v->m->cfg.debug & DEBUG_GUEST_ERRORS)
        check_mmio(v, pa, size, true, val);
    bus_mmio_write(&v->m->pc.bus, &v->m->pc.local[v->index], pa, val, size);
    io_core_check(v->m);
}

static uint32_t vcpu_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct vcpu *v = opaque;
    if (v->m->cfg.debug & DEBUG_GUEST_ERRORS)
        check_pio(v, port, size, false, 0);
    uint32_t val = bus_pio_read(&v->m->pc.bus, port, size);
    io_core_check(v->m);
    return val;
}

static void vcpu_io_out(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    struct vcpu *v = opaque;
    if (v->m->cfg.debug & DEBUG_GUEST_ERRORS)
        check_pio(v, port, size, true, val);
    bus_pio_write(&v->m->pc.bus, port, val, size);
    io_core_check(v->m);
}

/* a locked operation that splits across host pages, or touches MMIO: the
 * machine stopped around it, as a bus lock stops every other processor */
static void vcpu_bus_lock(void *opaque)
{
    struct vcpu *v = opaque;
    machine_pause(v->m, (int)v->index);
}

static void vcpu_bus_unlock(void *opaque)
{
    struct vcpu *v = opaque;
    machine_resume(v->m);
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

static void vcpu_ferr(void *opaque)
{
    struct vcpu *v = opaque;
    ferr_assert(&v->m->pc.ferr);
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
    struct machine *m = opaque;
    if (!m->cfg.deterministic) /* there, every vCPU looks at its events on its next turn */
        host_kick(vcpu + m->host_base);
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

static void pc_debugcon_tx(void *opaque, uint8_t byte)
{
    struct machine *m = opaque;
    m->cfg.debugcon(m->cfg.debugcon_opaque, byte);
}

static void pc_exit(void *opaque, int status)
{
    machine_stop(opaque, status, NULL);
}
static void pc_poweroff(void *opaque)
{
    machine_stop(opaque, 0, "the guest powered off (ACPI S5)");
}
static void pc_reset(void *opaque)
{
    machine_stop(opaque, 0,
                 "the guest asked for a reset; rebooting is not supported yet, stopping");
}

static uint64_t host_clock_source(void *opaque)
{
    (void)opaque;
    return host_tsc();
}

/* deterministic mode: instructions retired so far, by every vCPU (machine.h) */
static uint64_t det_clock_source(void *opaque)
{
    const struct machine *m = opaque;
    const struct vcpu *v = m->det_cur;
    return m->det_time + (v ? cpu_retired(&v->cpu) - m->det_start : 0);
}

/* ---- building it ---------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return -1;
}

/* -rip-history: a ring of at least n entries, a power of two */
static int alloc_rips(struct cpu *c, unsigned n)
{
    uint64_t size = 1;
    while (size < n)
        size <<= 1;
    c->rips = calloc(size, sizeof *c->rips);
    if (!c->rips)
        return -1;
    c->rips_mask = size - 1;
    return 0;
}

static const char *state_name(const struct vcpu *v)
{
    if (v->shut_down)
        return "shut down by a triple fault";
    switch (v->state) {
    case VCPU_RUNNING:
        return "running";
    case VCPU_HALTED:
        return "halted";
    case VCPU_WAIT_SIPI:
        return "waiting for SIPI";
    }
    return "?";
}

/* one vCPU's registers to the log, a line at a time (the kernel's log takes
 * short lines), under a lock so that two vCPUs' dumps do not interleave */
static void dump_vcpu(struct vcpu *v, const char *why)
{
    char text[2048];
    debug_format_cpu(text, sizeof text, &v->cpu, state_name(v));
    spin_lock(&v->m->dump_lock);
    host_log("baremu: %s:\n", why);
    for (char *line = text, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (!end)
            break;
        host_log("baremu: %.*s\n", (int)(end - line), line);
    }
    spin_unlock(&v->m->dump_lock);
}

/*
 * Guest RAM as the memory map lays it out (emu/ram.h): up to the MMIO hole
 * at 0, the rest from 4 GiB, each part a block of its own from the host.
 */
static int alloc_ram(struct machine *m, uint64_t size, char *err, size_t errlen)
{
    uint64_t low, high;
    guest_ram_split(size, &low, &high);
    if (high > (1ull << PLAT_PHYS_BITS) - PLAT_RAM_ABOVE_4G) {
        snprintf(err, errlen,
                 "-m: %llu MiB of RAM would end beyond the %u-bit physical address space",
                 (unsigned long long)(size >> 20), PLAT_PHYS_BITS);
        return -1;
    }
    m->ram = (struct guest_ram){host_ram_alloc(low), low, NULL, high};
    if (!m->ram.low)
        return fail(err, errlen, "-m: cannot allocate the guest RAM below 4 GiB");
    if (high) {
        m->ram.high = host_ram_alloc(high);
        if (!m->ram.high) {
            snprintf(err, errlen, "-m: cannot allocate the %llu MiB of guest RAM above 4 GiB",
                     (unsigned long long)(high >> 20));
            return -1;
        }
    }
    return 0;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * What fw_cfg carries besides its signature, ID and file directory (QEMU's
 * docs/specs/fw_cfg.rst): RAM size, CPU counts, the boot menu flag, the
 * kernel, initrd and command line as given, and "etc/e820", the memory map
 * as QEMU's struct e820_entry array.
 */
static int add_fwcfg_items(struct machine *m, const struct fw_config *fwc, char *err, size_t errlen)
{
    struct machine_fwcfg *b = &m->fwcfg_data;
    struct fwcfg *f = &m->pc.fwcfg;
    const struct machine_config *cfg = &m->cfg;
    put_le(b->ram_size, cfg->ram_size, sizeof b->ram_size);
    put_le(b->nb_cpus, cfg->ncpus, sizeof b->nb_cpus);
    put_le(b->max_cpus, cfg->ncpus, sizeof b->max_cpus);
    put_le(b->kernel_size, cfg->kernel_len, sizeof b->kernel_size);
    put_le(b->initrd_size, cfg->initrd ? cfg->initrd_len : 0, sizeof b->initrd_size);
    size_t cmdline_len = cfg->cmdline ? strlen(cfg->cmdline) + 1 : 0;
    put_le(b->cmdline_size, cmdline_len, sizeof b->cmdline_size);
    struct fw_e820_entry map[FW_E820_MAX];
    int n = fw_e820(fwc, map, FW_E820_MAX, err, errlen);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        uint8_t *e = b->e820 + i * MACHINE_E820_ENTRY;
        put_le(e, map[i].addr, 8);
        put_le(e + 8, map[i].size, 8);
        put_le(e + 16, map[i].type, 4);
    }
    int bad =
        fwcfg_add(f, FW_CFG_RAM_SIZE, b->ram_size, sizeof b->ram_size) ||
        fwcfg_add(f, FW_CFG_NB_CPUS, b->nb_cpus, sizeof b->nb_cpus) ||
        fwcfg_add(f, FW_CFG_MAX_CPUS, b->max_cpus, sizeof b->max_cpus) ||
        fwcfg_add(f, FW_CFG_BOOT_MENU, b->boot_menu, sizeof b->boot_menu) ||
        fwcfg_add(f, FW_CFG_KERNEL_SIZE, b->kernel_size, sizeof b->kernel_size) ||
        fwcfg_add(f, FW_CFG_KERNEL_DATA, cfg->kernel, (uint32_t)cfg->kernel_len) ||
        fwcfg_add(f, FW_CFG_INITRD_SIZE, b->initrd_size, sizeof b->initrd_size) ||
        (cfg->initrd && fwcfg_add(f, FW_CFG_INITRD_DATA, cfg->initrd, (uint32_t)cfg->initrd_len)) ||
        fwcfg_add(f, FW_CFG_CMDLINE_SIZE, b->cmdline_size, sizeof b->cmdline_size) ||
        (cmdline_len && fwcfg_add(f, FW_CFG_CMDLINE_DATA, cfg->cmdline, (uint32_t)cmdline_len)) ||
        fwcfg_add_file(f, "etc/e820", b->e820, (uint32_t)(n * MACHINE_E820_ENTRY));
    return bad ? fail(err, errlen, "fw_cfg: its item table is full") : 0;
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

/* the tables and the kernel, loaded as its boot protocol says (no -bios) */
static int build_firmware(struct machine *m, struct fw_entry *entry, char *err, size_t errlen)
{
    const struct machine_config *cfg = &m->cfg;
    struct fw_config fwc = {
        .ncpus = cfg->ncpus, .ram_size = cfg->ram_size, .cpu_style = FW_CPU_PROCESSOR};
    struct fw_layout layout;
    if (fw_build(&fwc, m->ram.low, m->ram.low_size, &layout, err, errlen) < 0)
        return -1;
    char why[256];
    if (fw_load_kernel(&fwc, m->ram.low, m->ram.low_size, &layout, cfg->kernel, cfg->kernel_len,
                       cfg->cmdline, cfg->initrd, cfg->initrd_len, entry, why, sizeof why) < 0) {
        /* the loaders speak of "kernel: ..." or "<protocol>: ..."; name the option */
        const char *rest = strncmp(why, "kernel: ", 8) == 0 ? why + 8 : why;
        snprintf(err, errlen, "-kernel: %s", rest);
        return -1;
    }
    return add_fwcfg_items(m, &fwc, err, errlen);
}

int machine_create(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (cfg->ncpus < 1 || cfg->ncpus > PC_MAX_CPUS)
        return fail(err, errlen, "-smp: vCPU count out of range");
    if (cfg->bios && cfg->kernel)
        return fail(err, errlen,
                    "-bios: not with -kernel: the ROM boots the machine "
                    "(a kernel through fw_cfg is not supported yet)");
    if (cfg->bios && !cfg->bios_len)
        return fail(err, errlen, "-bios: the ROM image is empty");
    if (cfg->bios && cfg->bios_len > PC_BIOS_MAX)
        return fail(err, errlen, "-bios: the ROM image is larger than 16 MiB");
    if (cfg->bios && cfg->bios_len % PC_BIOS_ALIGN)
        return fail(err, errlen, "-bios: the ROM image's size is not a multiple of 64 KiB");
    if (!cfg->kernel && !cfg->bios)
        return fail(err, errlen, "-kernel: a guest kernel is required");
    if (cfg->io_core && cfg->deterministic)
        return fail(err, errlen, "-io-core: not with -deterministic, whose one thread does it all");
    m->host_base = cfg->io_core ? 1 : 0;
    m->io_wake = CLOCK_NEVER;
    if (alloc_ram(m, cfg->ram_size, err, errlen) < 0)
        return -1;
    uint64_t low_pages = m->ram.low_size >> X86_PAGE_SHIFT;
    m->code.npages = low_pages + (m->ram.high_size >> X86_PAGE_SHIFT);
    m->code.low_pages = low_pages;
    m->code.high_base = PLAT_RAM_ABOVE_4G;
    m->code.page = calloc(m->code.npages ? m->code.npages : 1, sizeof *m->code.page);
    m->cpu_list = calloc(cfg->ncpus, sizeof *m->cpu_list);
    if (!m->code.page || !m->cpu_list)
        return fail(err, errlen, "-m: no memory for the guest RAM's code map");
    m->code.cpus = m->cpu_list;
    m->code.ncpus = cfg->ncpus;
    if (cfg->deterministic) {
        if (!m->cfg.quantum)
            m->cfg.quantum = MACHINE_DET_QUANTUM;
        m->cfg.unix_time = MACHINE_DET_UNIX_TIME;
        clock_init(&m->clock, det_clock_source, m, MACHINE_DET_HZ, MACHINE_DET_HZ);
    } else {
        /* the guest TSC runs at the host clock's rate: one offset, one ratio (1:1) */
        clock_init(&m->clock, host_clock_source, NULL, host_tsc_hz(), host_tsc_hz());
    }

    struct pc_config pcc = {
        .ncpu = cfg->ncpus,
        .clock = &m->clock,
        .lapic_timer_hz = m->clock.hz,
        .phys_bits = PLAT_PHYS_BITS,
        .unix_time = m->cfg.unix_time,
        .ram = m->ram,
        .code = &m->code,
        .disk = cfg->disk,
        .kick = pc_kick,
        .console_tx = pc_console_tx,
        .console_rx =
            cfg->deterministic ? NULL : pc_console_rx, /* input's timing is not the guest's */
        .exit = pc_exit,
        .poweroff = pc_poweroff,
        .reset = pc_reset,
        .debugcon_tx = cfg->debugcon ? pc_debugcon_tx : NULL,
        .bios = cfg->bios,
        .bios_len = cfg->bios_len,
        .opaque = m,
    };
    if (pc_init(&m->pc, &pcc) < 0)
        return fail(err, errlen, "the platform could not be built (see the log)");

    struct fw_entry entry;
    if (!cfg->bios && build_firmware(m, &entry, err, errlen) != 0)
        return -1;

    if (cfg->rip_history > DEBUG_RIPS_MAX)
        return fail(err, errlen, "-rip-history: too many entries");
    m->vcpus = calloc(cfg->ncpus, sizeof *m->vcpus);
    if (!m->vcpus)
        return fail(err, errlen, "-smp: no memory for the vCPUs");
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        struct vcpu *v = &m->vcpus[i];
        v->m = m;
        v->index = i;
        v->state = vcpu_power_on_state(i);
        v->bus = (struct cpu_bus){
            .ram = m->ram.low,
            .ram_size = m->ram.low_size,
            .ram_high = m->ram.high,
            .ram_high_base = PLAT_RAM_ABOVE_4G,
            .ram_high_size = m->ram.high_size,
            .opaque = v,
            .mmio_read = vcpu_mmio_read,
            .mmio_write = vcpu_mmio_write,
            .io_in = vcpu_io_in,
            .io_out = vcpu_io_out,
            .tsc = vcpu_tsc,
            .bus_lock = vcpu_bus_lock,
            .bus_unlock = vcpu_bus_unlock,
            .rdmsr = vcpu_rdmsr,
            .wrmsr = vcpu_wrmsr,
            .cr8_read = vcpu_cr8_read,
            .cr8_write = vcpu_cr8_write,
            .ferr = vcpu_ferr,
            .map_gen = &m->pc.map_gen,
            .a20_on = &m->pc.a20_on,
            .rom = cfg->bios ? &m->pc.rom : NULL,
            .code = &m->code,
        };
        cpu_init(&v->cpu, &v->bus, i);
        m->cpu_list[i] = &v->cpu;
        v->cpu.feat.apic_id = i;
        v->cpu.feat.ncpus = cfg->ncpus;
        v->cpu.feat.tsc_hz = m->clock.hz;
        v->cpu.feat.lapic_hz = m->clock.hz;
        v->cpu.events = &m->pc.lapic[i].events;
        /* what IF and NMI blocking hold back makes the CPU stop only once they let it through */
        v->cpu.events_need_if = LAPIC_EV_INTR | LAPIC_EV_EXTINT;
        v->cpu.events_need_nmi_open = LAPIC_EV_NMI;
        lapic_set_tsc_offset(&m->pc.lapic[i], &v->cpu.tsc_offset);
        v->cpu.debug = debug_cpu_hooks(cfg->debug);
        if (cfg->rip_history && alloc_rips(&v->cpu, cfg->rip_history) < 0)
            return fail(err, errlen, "-rip-history: no memory for the history");
        /* more vCPUs than cores: a guest spinning on a lock another vCPU
         * holds gives way, or the holder may wait a whole host time slice */
        if (cfg->ncpus > (cfg->deterministic ? 1 : host_cpu_count()))
            v->cpu.pause_exit_every = MACHINE_PAUSE_EXIT_EVERY;
    }
    if (!cfg->bios) /* else the BSP starts at the reset vector: F000:FFF0, CS base 0xFFFF0000 */
        enter_guest(&m->vcpus[0].cpu, &entry);
    if (cfg->debug & DEBUG_CPU_RESET)
        dump_vcpu(&m->vcpus[0], cfg->bios ? "reset vector" : "boot entry");
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
    if (m->cfg.io_core)
        host_kick(0);
}

static bool stopping(const struct machine *m)
{
    return __atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE);
}

/* drive the timers whose time has come: this vCPU's LAPIC timer and the platform's */
static void poll_timers(struct vcpu *v)
{
    struct machine *m = v->m;
    uint64_t now = clock_now(&m->clock);
    if (lapic_next_deadline(&m->pc.lapic[v->index]) <= now)
        lapic_timer_poll(&m->pc.lapic[v->index]);
    if (!m->cfg.io_core && pc_next_deadline(&m->pc) <= now)
        pc_poll(&m->pc);
}

/* do what the event word asks; false if nothing could be taken */
static bool take_event(struct vcpu *v)
{
    struct machine *m = v->m;
    struct vcpu_action a =
        vcpu_next_action(&m->pc.lapic[v->index], &v->state, cpu_irq_flags(&v->cpu));
    switch (a.kind) {
    case VCPU_ACT_NONE:
        return false;
    case VCPU_ACT_MACHINE:
        if (a.machine_bits & MACHINE_EV_DUMP)
            dump_vcpu(v, "register dump requested");
        if (a.machine_bits & MACHINE_EV_PAUSE)
            machine_park(m, v->index);
        return true;
    case VCPU_ACT_INIT:
        if (m->cfg.debug & DEBUG_CPU_RESET)
            dump_vcpu(v, "INIT, the state before it");
        cpu_init_reset(&v->cpu);
        return true;
    case VCPU_ACT_SIPI:
        if (m->cfg.debug & DEBUG_CPU_RESET)
            host_log("baremu: vCPU %u: SIPI vector 0x%02x: starts at %04x:0000 in real mode\n",
                     v->index, a.vector, (unsigned)a.vector << 8);
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
    v->shut_down = true;
    snprintf(msg, sizeof msg,
             "triple fault on vCPU %u (last exception %u, error code %#x) at rip %#llx; stopping",
             v->index, v->cpu.exc.vector, v->cpu.exc.error, (unsigned long long)v->cpu.rip);
    machine_stop(v->m, MACHINE_EXIT_SHUTDOWN, msg);
}

void machine_request_dump(struct machine *m)
{
    for (unsigned i = 0; i < m->cfg.ncpus; i++)
        lapic_post_events(&m->pc.lapic[i], MACHINE_EV_DUMP);
}

/* after an abnormal stop, with every vCPU stopped: all their registers and histories */
static void abnormal_report(struct machine *m)
{
    for (unsigned i = 0; i < m->cfg.ncpus; i++) {
        dump_vcpu(&m->vcpus[i], "the machine stopped abnormally; this vCPU's state");
        debug_log_rips(&m->vcpus[i].cpu, m->cfg.rip_history);
    }
}

/* sleep until kicked or until the earliest deadline that concerns this vCPU */
static void vcpu_sleep(struct vcpu *v)
{
    struct machine *m = v->m;
    uint64_t t = lapic_next_deadline(&m->pc.lapic[v->index]);
    uint64_t p = m->cfg.io_core ? CLOCK_NEVER : pc_next_deadline(&m->pc);
    if (p < t)
        t = p;
    host_wait(v->index + m->host_base,
              t == CLOCK_NEVER ? HOST_NO_DEADLINE : clock_to_source(&m->clock, t));
}

/*
 * -io-core: host thread (core) 0 keeps the platform's devices: it sleeps
 * until their next deadline, polls them (their interrupts kick the vCPUs
 * they reach), and reads the host console for the UART. The vCPUs then wake
 * only for kicks and their own LAPIC timers.
 */
static void io_loop(void *arg)
{
    struct machine *m = arg;
    while (!stopping(m)) {
        uint64_t t = pc_next_deadline(&m->pc);
        __atomic_store_n(&m->io_wake, t, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with io_core_check() */
        uint64_t again = pc_next_deadline(&m->pc);
        if (again < t)
            continue;
        if (t > clock_now(&m->clock))
            host_wait(0, t == CLOCK_NEVER ? HOST_NO_DEADLINE : clock_to_source(&m->clock, t));
        __atomic_store_n(&m->io_wake, 0, __ATOMIC_SEQ_CST); /* awake: no kicks needed */
        pc_poll(&m->pc);
    }
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
        /* events that IF or NMI blocking holds back end the run only once they can be taken */
        switch (cpu_run(&v->cpu, MACHINE_QUANTUM)) {
        case CPU_EXIT_HLT:
            v->state = VCPU_HALTED;
            break;
        case CPU_EXIT_SHUTDOWN:
        case CPU_EXIT_EXCEPTION: /* not in a machine; treated as the shutdown it would be */
            shutdown_report(v);
            break;
        case CPU_EXIT_PAUSE:
            host_pause(v->index + v->m->host_base);
            break;
        case CPU_EXIT_BUDGET:
        case CPU_EXIT_EVENT:
            break;
        }
        poll_timers(v);
    }
}

/* ---- deterministic mode (machine.h) ------------------------------------------ */

static uint64_t total_retired(const struct machine *m)
{
    uint64_t t = 0;
    for (unsigned i = 0; i < m->cfg.ncpus; i++)
        t += m->vcpus[i].cpu.icount;
    return t;
}

static void log_hash(const struct machine *m, const char *when, uint64_t total)
{
    host_log("baremu: state hash %s %llu instructions: %016llx\n", when, (unsigned long long)total,
             (unsigned long long)machine_state_hash(m));
}

/* the earliest deadline of any timer, in guest ticks */
static uint64_t next_deadline(struct machine *m)
{
    uint64_t t = pc_next_deadline(&m->pc);
    for (unsigned i = 0; i < m->cfg.ncpus; i++) {
        uint64_t l = lapic_next_deadline(&m->pc.lapic[i]);
        if (l < t)
            t = l;
    }
    return t;
}

/* the hash of a -hash-at count, and the next count's index */
static void det_hash_point(struct machine *m, unsigned *next_hash, uint64_t total)
{
    while (*next_hash < m->cfg.nhash_at && m->cfg.hash_at[*next_hash] == total)
        log_hash(m, "at", m->cfg.hash_at[(*next_hash)++]);
}

/* instructions to go before the next -hash-at count, or UINT64_MAX */
static uint64_t det_room(const struct machine *m, unsigned next_hash, uint64_t total)
{
    return next_hash < m->cfg.nhash_at ? m->cfg.hash_at[next_hash] - total : UINT64_MAX;
}

/*
 * One vCPU's turn: its timers and events first, then up to quantum instructions. A
 * -hash-at count inside the turn splits the run there, hashes, and goes on
 * with the rest of the turn, so that the turns stay as they would be
 * without it. The clock advances by what the vCPU retired, events
 * included. Returns whether it did anything: ran, or took an event.
 */
static bool det_turn(struct vcpu *v, unsigned *next_hash, uint64_t *total)
{
    struct machine *m = v->m;
    uint64_t start = v->cpu.icount, left = m->cfg.quantum;
    poll_timers(v);
    bool took = take_event(v); /* a delivered interrupt counts as one (cpu/intr.c) */
    m->det_time += v->cpu.icount - start;
    *total += v->cpu.icount - start;
    det_hash_point(m, next_hash, *total);
    while (left && v->state == VCPU_RUNNING && !stopping(m)) {
        uint64_t room = det_room(m, *next_hash, *total);
        m->det_cur = v;
        m->det_start = v->cpu.icount; /* exact: no block is running between runs */
        enum cpu_exit e = cpu_run(&v->cpu, left < room ? left : room);
        uint64_t ran = v->cpu.icount - m->det_start;
        m->det_time += ran;
        m->det_cur = NULL;
        *total += ran;
        left -= ran < left ? ran : left;
        det_hash_point(m, next_hash, *total);
        if (e == CPU_EXIT_BUDGET)
            continue; /* the turn's end, or a -hash-at count */
        if (e == CPU_EXIT_HLT)
            v->state = VCPU_HALTED;
        else if (e == CPU_EXIT_SHUTDOWN || e == CPU_EXIT_EXCEPTION)
            shutdown_report(v);
        break; /* CPU_EXIT_PAUSE: it waits for another vCPU; CPU_EXIT_EVENT: the next turn takes it
                */
    }
    poll_timers(v);
    return took || v->cpu.icount != start;
}

/*
 * Could a timer still wake a vCPU, once every one is halted or waits for
 * SIPI? Only one halted with RFLAGS.IF set: an interrupt does not end HLT
 * with IF clear, and INIT and SIPI come only from a running vCPU (SDM Vol 3A
 * 6.8.1, 11.6.1). (An NMI a timer raises through an IOAPIC entry in NMI
 * mode could; that routing is not looked for.)
 */
static bool det_wakeable(const struct machine *m)
{
    for (unsigned i = 0; i < m->cfg.ncpus; i++) {
        const struct vcpu *v = &m->vcpus[i];
        if (v->state == VCPU_HALTED && (cpu_irq_flags(&v->cpu) & VCPU_IF))
            return true;
    }
    return false;
}

static void run_deterministic(struct machine *m)
{
    unsigned next_hash = 0, idle_rounds = 0;
    uint64_t total = total_retired(m);
    while (!stopping(m)) {
        bool progress = false;
        for (unsigned i = 0; i < m->cfg.ncpus && !stopping(m); i++)
            progress |= det_turn(&m->vcpus[i], &next_hash, &total);
        /* a round with nothing done, then one more: a timer polled in a later
         * vCPU's turn may have sent an interrupt to an earlier one */
        if (progress || stopping(m) || ++idle_rounds < 2) {
            if (progress)
                idle_rounds = 0;
            continue;
        }
        idle_rounds = 0;
        /* every vCPU halted or waiting for SIPI: on to the next deadline */
        uint64_t t = next_deadline(m), now = clock_now(&m->clock);
        if (t == CLOCK_NEVER || !det_wakeable(m)) {
            machine_stop(m, MACHINE_EXIT_SHUTDOWN,
                         t == CLOCK_NEVER ? "deterministic mode: every vCPU is halted and no timer "
                                            "is armed: nothing can wake them; stopping"
                                          : "deterministic mode: every vCPU is halted with "
                                            "interrupts off or waits for a SIPI: nothing can "
                                            "wake them; stopping");
            break;
        }
        if (t > now)
            m->det_time += t - now; /* source ticks are guest ticks (MACHINE_DET_HZ both) */
    }
    log_hash(m, "after", total);
}

int machine_run(struct machine *m)
{
    if (m->cfg.deterministic) {
        run_deterministic(m);
        goto stopped;
    }
    if (m->cfg.io_core && host_start_vcpu(0, io_loop, m) < 0)
        machine_stop(m, MACHINE_EXIT_SHUTDOWN, "the device thread could not be started");
    for (unsigned i = 0; i < m->cfg.ncpus && !stopping(m); i++)
        if (host_start_vcpu(i + m->host_base, vcpu_loop, &m->vcpus[i]) < 0) {
            machine_stop(m, MACHINE_EXIT_SHUTDOWN, "a vCPU could not be started");
            break;
        }
    host_join_vcpus();
stopped:
    if (m->exit_status == MACHINE_EXIT_SHUTDOWN)
        abnormal_report(m);
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
