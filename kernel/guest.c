/*
 * kernel/guest.c: the bare-metal host runs a guest. The boot loader brought
 * the guest's files as modules (GRUB: "module2 /boot/guest.elf guest.elf";
 * qemu -kernel baremu.elf -initrd guest.elf: one module with no name);
 * -kernel, -initrd and -drive name them (the disk is a module in RAM,
 * kernel/disk.h). vCPU i runs on core i (emu/host.h,
 * kernel/host.c); the machine's exit status becomes the kernel's verdict.
 */
#include <string.h>

#include "emu/machine.h"
#include "kernel/console.h"
#include "kernel/disk.h"
#include "kernel/guest.h"
#include "kernel/kernel.h"
#include "kernel/percpu.h"

static struct machine machine; /* large: one LAPIC slot per possible vCPU */

/* does a module's string (its path or name, then arguments) name file? */
static bool module_named(const struct boot_module *mod, const char *file)
{
    const char *s = mod->cmdline;
    size_t len = strcspn(s, " \t");
    const char *base = s;
    for (const char *p = s; p < s + len; p++)
        if (*p == '/')
            base = p + 1;
    size_t flen = strlen(file);
    return (len == flen && !strncmp(s, file, len)) ||
           ((size_t)(s + len - base) == flen && !strncmp(base, file, flen));
}

static const struct boot_module *find_module(const struct bootinfo *bi, const char *opt,
                                             const char *file)
{
    for (unsigned i = 0; i < bi->nmodules; i++)
        if (module_named(&bi->modules[i], file))
            return &bi->modules[i];
    /* qemu -kernel ... -initrd FILE brings one module with no name: it is -kernel */
    if (!strcmp(opt, "-kernel") && bi->nmodules == 1 && !bi->modules[0].cmdline[0])
        return &bi->modules[0];
    kprintf("baremu: %s: no boot module named '%s' (%u modules)\n", opt, file, bi->nmodules);
    kernel_stop(KERNEL_EXIT_BADCMD);
}

void guest_run(const struct baremu_config *given, const struct bootinfo *bi)
{
    struct baremu_config resolved = *given, *cfg = &resolved;
    cmdline_resolve_smp(cfg, ncpus_online); /* -smp all: every core that came up */
    if (cfg->io_core && cfg->smp + 1 > ncpus_online) {
        kprintf("baremu: -smp: %u vCPUs and -io-core need %u cores, but only %u are online\n",
                cfg->smp, cfg->smp + 1, ncpus_online);
        kernel_stop(KERNEL_EXIT_BADCMD);
    }
    if (cfg->smp > ncpus_online && !cfg->deterministic) { /* -deterministic: all on this core */
        kprintf("baremu: -smp: %u vCPUs, but only %u cores are online (one core per vCPU)\n",
                cfg->smp, ncpus_online);
        kernel_stop(KERNEL_EXIT_BADCMD);
    }
    const struct boot_module *k = find_module(bi, "-kernel", cfg->kernel);
    struct machine_config mc = {
        .ncpus = cfg->smp,
        .ram_size = cfg->ram_bytes,
        .kernel = (const uint8_t *)(uintptr_t)k->start,
        .kernel_len = (size_t)(k->end - k->start),
        .cmdline = cfg->append,
        .stats = cfg->stats,
        .debug = cfg->debug,
        .rip_history = cfg->rip_history,
        .deterministic = cfg->deterministic,
        .io_core = cfg->io_core,
        .quantum = cfg->quantum,
        .hash_at = cfg->hash_at,
        .nhash_at = cfg->nhash_at,
    };
    if (cfg->initrd) {
        const struct boot_module *r = find_module(bi, "-initrd", cfg->initrd);
        mc.initrd = (const uint8_t *)(uintptr_t)r->start;
        mc.initrd_len = (size_t)(r->end - r->start);
    }
    char err[256];
    if (cfg->drive) {
        const struct boot_module *d = find_module(bi, "-drive", cfg->drive);
        if (disk_from_module(d, &mc.disk, err, sizeof err) != 0) {
            kprintf("baremu: %s\n", err);
            kernel_stop(KERNEL_EXIT_BADCMD);
        }
        kprintf("disk: %s, %llu KiB in RAM (writes stay in RAM)\n", cfg->drive,
                (unsigned long long)((d->end - d->start) >> 10));
    }
    if (machine_create(&machine, &mc, err, sizeof err) != 0) {
        kprintf("baremu: %s\n", err);
        kernel_stop(KERNEL_EXIT_BADCMD);
    }
    if (cfg->deterministic)
        kprintf("guest: %u vCPUs in turn on core 0 (-deterministic, quantum %u), %llu MiB RAM; "
                "its console follows\n",
                cfg->smp, cfg->quantum, (unsigned long long)(cfg->ram_bytes >> 20));
    else if (cfg->io_core)
        kprintf("guest: %u vCPUs on cores 1..%u, devices and console on core 0, %llu MiB RAM; "
                "its console follows\n",
                cfg->smp, cfg->smp, (unsigned long long)(cfg->ram_bytes >> 20));
    else
        kprintf("guest: %u vCPUs on cores 0..%u, %llu MiB RAM; its console follows\n", cfg->smp,
                cfg->smp - 1, (unsigned long long)(cfg->ram_bytes >> 20));
    int status = machine_run(&machine);
    kprintf("guest: stopped with status %d\n", status);
    /* QEMU's isa-debug-exit status (v << 1) | 1 passes through as v; a power-off is a clean end */
    if (status & 1)
        kernel_stop((enum kernel_exit)(status >> 1));
    kernel_stop(status == 0 ? KERNEL_EXIT_OK : KERNEL_EXIT_FAIL);
}
