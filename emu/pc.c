/*
 * pc.c: the guest PC's devices and their wiring (see pc.h).
 */
#include "emu/pc.h"

#include "emu/host.h"
#include "emu/platform.h"

#include <string.h>

static void pc_kick(void *opaque, unsigned vcpu)
{
    struct pc *pc = opaque;
    if (pc->cfg.kick)
        pc->cfg.kick(pc->cfg.opaque, vcpu);
}

static void pc_map(void *opaque, unsigned vcpu, uint64_t base, bool on)
{
    struct pc *pc = opaque;
    bus_map_local(&pc->local[vcpu], base, on ? PLAT_LAPIC_SIZE : 0, &lapic_mmio_ops,
                  &pc->lapic[vcpu]);
}

static void pc_console_tx(void *opaque, uint8_t byte)
{
    struct pc *pc = opaque;
    if (pc->cfg.console_tx)
        pc->cfg.console_tx(pc->cfg.opaque, byte);
}

static void pc_exit(void *opaque, int status)
{
    struct pc *pc = opaque;
    if (pc->cfg.exit)
        pc->cfg.exit(pc->cfg.opaque, status);
}

static void pc_poweroff(void *opaque)
{
    struct pc *pc = opaque;
    if (pc->cfg.poweroff)
        pc->cfg.poweroff(pc->cfg.opaque);
}

static void pc_reset(void *opaque)
{
    struct pc *pc = opaque;
    if (pc->cfg.reset)
        pc->cfg.reset(pc->cfg.opaque);
}

static void pc_a20(void *opaque, bool on)
{
    struct pc *pc = opaque;
    __atomic_store_n(&pc->a20_on, on, __ATOMIC_RELEASE);
    __atomic_add_fetch(&pc->map_gen, 1, __ATOMIC_ACQ_REL); /* every CPU: cpu_map_sync */
    if (pc->cfg.a20)
        pc->cfg.a20(pc->cfg.opaque, on);
}

/* the PIT's IRQ 0 and the RTC's IRQ 8 pass unless the HPET has taken them */
static void pc_legacy_irq(void *opaque, unsigned irq, int level)
{
    struct pc *pc = opaque;
    __atomic_store_n(irq == PLAT_IRQ_RTC ? &pc->rtc_level : &pc->pit_level, level,
                     __ATOMIC_RELEASE);
    if (!__atomic_load_n(&pc->hpet_legacy, __ATOMIC_ACQUIRE))
        isa_set_irq(&pc->isa, irq, level);
}

static void pc_hpet_legacy(void *opaque, bool on)
{
    struct pc *pc = opaque;
    __atomic_store_n(&pc->hpet_legacy, on, __ATOMIC_RELEASE);
    if (!on) { /* hand the lines back at the levels their devices hold */
        isa_set_irq(&pc->isa, PLAT_IRQ_PIT, __atomic_load_n(&pc->pit_level, __ATOMIC_ACQUIRE));
        isa_set_irq(&pc->isa, PLAT_IRQ_RTC, __atomic_load_n(&pc->rtc_level, __ATOMIC_ACQUIRE));
    }
}

static void init_lapics(struct pc *pc)
{
    for (unsigned i = 0; i < pc->cfg.ncpu; i++)
        pc->lapic_ptr[i] = &pc->lapic[i];
    intr_init(&pc->intr, pc->lapic_ptr, pc->cfg.ncpu);
    for (unsigned i = 0; i < pc->cfg.ncpu; i++) {
        struct lapic_config lc = {
            .index = i,
            .apic_id = i,
            .phys_bits = pc->cfg.phys_bits,
            .timer_hz = pc->cfg.lapic_timer_hz,
            .clock = pc->cfg.clock,
            .intr = &pc->intr,
            .kick = pc_kick,
            .kick_opaque = pc,
            .map = pc_map,
            .map_opaque = pc,
        };
        lapic_init(&pc->lapic[i], &lc);
    }
}

static int register_devices(struct pc *pc)
{
    struct bus *b = &pc->bus;
    return bus_register_mmio(b, PLAT_IOAPIC_BASE, PLAT_IOAPIC_SIZE, &ioapic_mmio_ops,
                             &pc->ioapic) ||
           pic_register(&pc->pic, b) || pit_register(&pc->pit, b) || rtc_register(&pc->rtc, b) ||
           hpet_register(&pc->hpet, b) || acpipm_register(&pc->pm, b) ||
           bus_register_pio(b, PLAT_PORT_COM1, UART_PORTS, &uart_ops, &pc->com1) ||
           i8042_register(&pc->kbc, b) || resetctl_register(&pc->resetctl, b) ||
           pci_host_register(&pc->pci, b) || fwcfg_register(&pc->fwcfg, b) ||
           debugexit_register(&pc->debugexit, b) || testdev_register(&pc->testdev, b) ||
           ferr_register(&pc->ferr, b) ||
           (pc->cfg.disk.read && virtio_blk_register(&pc->vblk, b)) ||
           (pc->cfg.debugcon_tx && debugcon_register(&pc->debugcon, b));
}

int pc_init(struct pc *pc, const struct pc_config *cfg)
{
    if (!cfg->clock || cfg->ncpu < 1 || cfg->ncpu > PC_MAX_CPUS) {
        host_log("pc: bad configuration (%u vCPUs)\n", cfg->ncpu);
        return -1;
    }
    memset(pc, 0, sizeof *pc);
    pc->cfg = *cfg;
    pc->a20_on = true;
    const struct clock *clk = cfg->clock;
    bus_init(&pc->bus);
    init_lapics(pc);
    ioapic_init(&pc->ioapic, &pc->intr, PLAT_IOAPIC_ID);
    pic_init(&pc->pic, (struct irq_line){lapic_set_lint, &pc->lapic[0], PLAT_LINT0_EXTINT});
    pc->isa = (struct isa_irq){{pic_set_irq, &pc->pic, 0}, {ioapic_set_irq, &pc->ioapic, 0}};
    struct irq_line isa = {isa_set_irq, &pc->isa, 0};
    struct reset_lines lines = {pc_reset, pc_a20, pc};

    pit_init(&pc->pit, clk, (struct irq_line){pc_legacy_irq, pc, PLAT_IRQ_PIT});
    rtc_init(&pc->rtc, clk, (struct irq_line){pc_legacy_irq, pc, PLAT_IRQ_RTC}, cfg->unix_time);
    hpet_init(&pc->hpet, clk, isa, (struct irq_line){ioapic_set_irq, &pc->ioapic, 0}, &pc->intr);
    pc->hpet.legacy = pc_hpet_legacy;
    pc->hpet.legacy_opaque = pc;
    acpipm_init(&pc->pm, clk, (struct irq_line){isa_set_irq, &pc->isa, PLAT_IRQ_SCI}, pc_poweroff,
                pc);
    uart_init(&pc->com1, (struct irq_line){isa_set_irq, &pc->isa, PLAT_IRQ_COM1}, pc_console_tx,
              pc);
    i8042_init(&pc->kbc, lines);
    resetctl_init(&pc->resetctl, lines);
    pci_host_init(&pc->pci, &pc->resetctl);
    fwcfg_init(&pc->fwcfg, &cfg->ram);
    debugexit_init(&pc->debugexit, pc_exit, pc);
    ferr_init(&pc->ferr, (struct irq_line){isa_set_irq, &pc->isa, PLAT_IRQ_FPU});
    testdev_init(&pc->testdev, isa);
    debugcon_init(&pc->debugcon, cfg->debugcon_tx, cfg->opaque);
    virtio_blk_init(&pc->vblk, cfg->disk,
                    (struct irq_line){isa_set_irq, &pc->isa, PLAT_IRQ_VIRTIO_BLK}, &cfg->ram);
    if (register_devices(pc)) {
        host_log("pc: a device range clashes\n");
        return -1;
    }
    if (cfg->bios && pc_bios_setup(pc) != 0)
        return -1;
    return 0;
}

/* move waiting console input into COM1, as much as its receiver takes */
static void console_poll(struct pc *pc)
{
    uint64_t now = clock_now(pc->cfg.clock);
    uint64_t next = __atomic_load_n(&pc->console_next, __ATOMIC_ACQUIRE);
    if (!pc->cfg.console_rx || now < next)
        return;
    /* one poller at a time, so input keeps its order */
    if (!__atomic_compare_exchange_n(&pc->console_next, &next,
                                     now + pc->cfg.clock->hz / PC_CONSOLE_POLL_HZ, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    uint8_t buf[UART_FIFO];
    unsigned room = uart_can_receive(&pc->com1);
    size_t n = room ? pc->cfg.console_rx(pc->cfg.opaque, buf, room) : 0;
    if (n)
        uart_receive(&pc->com1, buf, (unsigned)(n < room ? n : room));
}

uint64_t pc_next_deadline(struct pc *pc)
{
    uint64_t t[] = {pit_next_deadline(&pc->pit), rtc_next_deadline(&pc->rtc),
                    hpet_next_deadline(&pc->hpet), acpipm_next_deadline(&pc->pm),
                    pc->cfg.console_rx ? __atomic_load_n(&pc->console_next, __ATOMIC_ACQUIRE)
                                       : CLOCK_NEVER};
    uint64_t next = CLOCK_NEVER;
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i] < next)
            next = t[i];
    return next;
}

void pc_poll(struct pc *pc)
{
    pit_poll(&pc->pit);
    rtc_poll(&pc->rtc);
    hpet_poll(&pc->hpet);
    acpipm_poll(&pc->pm);
    console_poll(pc);
}
