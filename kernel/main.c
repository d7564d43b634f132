/*
 * kernel/main.c: the bare-metal kernel's boot story, one call per step.
 * boot/entry.S arrives here in long mode on the boot stack, with SSE on.
 */
#include <stdint.h>
#include <string.h>

#include "emu/cmdline.h"
#include "emu/version.h"
#include "kernel/acpi.h"
#include "kernel/apic.h"
#include "kernel/bootinfo.h"
#include "kernel/console.h"
#include "kernel/fbcon.h"
#include "kernel/guest.h"
#include "kernel/hostbench.h"
#include "kernel/idle.h"
#include "kernel/ipi.h"
#include "kernel/mm.h"
#include "kernel/kernel.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/trap.h"
#include "kernel/tsc.h"

#define CMDLINE_COPY 4096
#define CMDLINE_MAX_ARGS 64
#define FAULT_TEST_UNMAPPED 0x123400000000ull /* canonical, never mapped */

static struct bootinfo bootinfo;
static struct baremu_config config;

/*
 * With -exit anywhere on the line, even a rejected command line ends QEMU.
 * A line that cannot even be split is searched as text.
 */
static bool line_has_exit(int argc, char *argv[], const char *line)
{
    if (argc < 0)
        return strstr(line, "-exit") != NULL;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-exit") || !strcmp(argv[i], "--exit"))
            return true;
    return false;
}

static void parse_command_line(const char *line)
{
    static char copy[CMDLINE_COPY];
    static char *argv[CMDLINE_MAX_ARGS];
    char err[160];
    if (strlen(line) >= sizeof copy) {
        kernel_exit_when_done = strstr(line, "-exit") != NULL;
        kprintf("baremu: command line longer than %u bytes\n", CMDLINE_COPY - 1);
        kernel_stop(KERNEL_EXIT_BADCMD);
    }
    strcpy(copy, line);
    int argc = cmdline_split(copy, argv, CMDLINE_MAX_ARGS, err, sizeof err);
    kernel_exit_when_done = line_has_exit(argc, argv, line);
    cmdline_defaults(&config);
    if (argc < 0 || cmdline_parse(&config, argc, argv, CMDLINE_BAREMETAL, err, sizeof err) < 0) {
        kprintf("baremu: %s\n", err);
        kprintf("baremu: kernel command line rejected: \"%s\"\n", line);
        kernel_stop(KERNEL_EXIT_BADCMD);
    }
    if (config.help) {
        static char usage[4096];
        size_t n = cmdline_usage(usage, sizeof usage, CMDLINE_BAREMETAL);
        console_write(usage, n < sizeof usage ? n : sizeof usage - 1);
        kernel_stop(KERNEL_EXIT_OK);
    }
    kernel_exit_when_done = config.exit_when_done;
}

/* each call takes a page of stack, until the guard page stops it */
__attribute__((noinline)) static unsigned overflow_stack(unsigned depth)
{
    volatile char page[4096];
    page[0] = (char)depth;
    if (depth < UINT32_MAX) /* never false: the guard page comes first */
        return overflow_stack(depth + 1) + page[0];
    return page[0];
}

/* -fault-test: prove that a host exception is never silent */
static void provoke_fault(enum cmdline_fault kind)
{
    switch (kind) {
    case CMDLINE_FAULT_UD:
        __asm__ volatile("ud2");
        break;
    case CMDLINE_FAULT_PF:
        *(volatile uint64_t *)FAULT_TEST_UNMAPPED = 0; /* beyond the boot identity map */
        break;
    case CMDLINE_FAULT_DE:
        __asm__ volatile("xor %%ecx, %%ecx; div %%ecx" ::"a"(1), "d"(0) : "ecx");
        break;
    case CMDLINE_FAULT_STACK:
        overflow_stack(0);
        break;
    case CMDLINE_FAULT_AP_UD: /* after AP bring-up: see fault_on_ap */
    case CMDLINE_FAULT_NONE:
        break;
    }
}

static void ud_here(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

/* -fault-test ap-ud: a fault on another core must stop this one too */
static void fault_on_ap(void)
{
    unsigned last = ncpus_online - 1;
    if (last == 0 || !percpu[last].online) {
        kprintf("baremu: -fault-test ap-ud needs an application processor\n");
        kernel_stop(KERNEL_EXIT_FAIL);
    }
    smp_post(last, ud_here, NULL);
    for (;;)
        __asm__ volatile("sti; hlt"); /* until the faulting core's NMI */
}

void kmain(uint32_t magic, uint64_t info);
void kmain(uint32_t magic, uint64_t info)
{
    percpu_init_boot();   /* %gs: this core's state */
    console_init();       /* COM1, if one answers */
    kprintf("\nbaremu " BAREMU_VERSION " (bare metal): an x86 PC emulator, one guest vCPU per core\n");
    smp_init_cpu(0);      /* GDT, TSS with IST stacks, IDT: exceptions print a register dump */
    const char *err = bootinfo_parse(&bootinfo, magic, info);
    if (err)
        kernel_panic("%s", err);
    bootinfo_print(&bootinfo);
    parse_command_line(bootinfo.cmdline);
    char desc[256];
    cmdline_describe(desc, sizeof desc, &config);
    kprintf("machine: %s\n", desc);
    mm_init(&bootinfo);               /* free frames, page tables with NX and guard pages */
    if (fbcon_init(&bootinfo.fb))     /* the log on the screen too, from here on */
        kprintf("\nbaremu " BAREMU_VERSION " (bare metal): console on a %ux%u framebuffer\n",
                bootinfo.fb.width, bootinfo.fb.height);
    provoke_fault(config.fault_test);
    acpi_init(bootinfo.rsdp);         /* the host's CPUs, IOAPICs and timers */
    tsc_calibrate();                  /* the one clock */
    apic_init_bsp(host_acpi.lapic_base);
    idle_init();                      /* MWAIT or HLT */
    ipi_init();                       /* kicks, calls, deadlines */
    smp_boot_aps();                   /* INIT-SIPI-SIPI: every CPU the MADT lists */
    if (config.fault_test == CMDLINE_FAULT_AP_UD)
        fault_on_ap();
    if (config.hostbench)
        hostbench_run();
    else if (config.kernel)
        guest_run(&config, &bootinfo); /* never returns */
    kprintf("baremu: nothing more to do yet; halted\n");
    kernel_stop(KERNEL_EXIT_OK);
}
