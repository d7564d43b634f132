/* kernel/acpi.h: the host machine's ACPI tables, read once at boot. */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/percpu.h"

#define HOST_MAX_IOAPICS 8

struct host_cpu_desc {
    uint32_t apic_id;
    uint32_t acpi_uid;
};

struct host_acpi {
    bool have_madt;
    uint64_t lapic_base;            /* from the MADT, or its 64-bit override */
    bool pcat_compat;               /* the machine also has 8259s */
    unsigned ncpus;                 /* enabled processors, boot CPU included */
    struct host_cpu_desc cpus[MAX_HOST_CPUS];
    unsigned ncpus_skipped;         /* enabled but beyond MAX_HOST_CPUS */
    unsigned nioapics;
    uint64_t ioapic_base[HOST_MAX_IOAPICS];
    uint64_t hpet_base;             /* 0 if no HPET table */
    uint16_t pm_timer_port;         /* 0 if no PM timer */
    bool pm_timer_32bit;
};

extern struct host_acpi host_acpi;

/* parse what the RSDP at rsdp leads to; says on the console what is missing */
void acpi_init(uint64_t rsdp);

#endif
