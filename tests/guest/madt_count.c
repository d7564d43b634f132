/*
 * madt_count: the firmware's MADT lists exactly the CPUs the machine has.
 *
 * Run with "cpus=N" on the command line and N vCPUs. Counts the enabled
 * Processor Local APIC (type 0) and Processor Local x2APIC (type 9)
 * structures, ACPI 6.5 section 5.2.12.2 and 5.2.12.12, flags bit 0
 * "Enabled". Also checks the tables' checksums, that the structure list
 * walks exactly to the end of the table, that an I/O APIC is listed, that
 * no APIC ID is listed twice, and that the BSP's own APIC ID is listed.
 */
#include "rt/guest.h"

#define MAX_CPUS 256

struct madt_census {
    uint32_t enabled;  /* enabled LAPIC + x2APIC entries */
    uint32_t disabled; /* present but not enabled (hot-pluggable) */
    uint32_t ioapics;
    bool malformed;
    bool duplicate;
    bool bsp_listed;
};

static uint32_t cpuid_initial_apic_id(void)
{
    uint32_t a = 1, b, c = 0, d;

    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return b >> 24; /* CPUID.01H:EBX[31:24], SDM Vol 2A CPUID */
}

static uint32_t seen_ids[MAX_CPUS];

static void note_cpu(struct madt_census *c, uint32_t apic_id, uint32_t flags, uint32_t bsp)
{
    if (!(flags & MADT_LAPIC_ENABLED)) {
        c->disabled++;
        return;
    }
    for (uint32_t i = 0; i < c->enabled && i < MAX_CPUS; i++)
        if (seen_ids[i] == apic_id)
            c->duplicate = true;
    if (c->enabled < MAX_CPUS)
        seen_ids[c->enabled] = apic_id;
    c->enabled++;
    if (apic_id == bsp)
        c->bsp_listed = true;
}

static struct madt_census madt_census(const struct acpi_madt *m, uint32_t bsp)
{
    struct madt_census c = {0};

    for (const struct madt_entry *e = madt_next(m, NULL, &c.malformed); e;
         e = madt_next(m, e, &c.malformed)) {
        const struct madt_lapic *l = (const void *)e;
        const struct madt_x2apic *x = (const void *)e;
        const struct madt_ioapic *io = (const void *)e;

        switch (e->type) {
        case MADT_LAPIC:
            if (e->length < sizeof(*l)) {
                c.malformed = true;
                break;
            }
            note_cpu(&c, l->apic_id, l->flags, bsp);
            break;
        case MADT_LOCAL_X2APIC:
            if (e->length < sizeof(*x)) {
                c.malformed = true;
                break;
            }
            note_cpu(&c, x->x2apic_id, x->flags, bsp);
            break;
        case MADT_IOAPIC:
            if (e->length < sizeof(*io)) {
                c.malformed = true;
                break;
            }
            tap_diag("I/O APIC id %u at 0x%08x, GSI base %u", io->ioapic_id, io->ioapic_addr,
                     io->gsi_base);
            c.ioapics++;
            break;
        }
    }
    return c;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    uint32_t cpus = 0;
    (void)mbi;

    tap_plan(11);
    tap_ok(magic == MULTIBOOT_BOOTLOADER_MAGIC, "booted by a Multiboot loader");
    bool have_cpus = arg_u32("cpus", &cpus);
    if (!tap_ok(have_cpus, "command line gives cpus=N"))
        tap_diag("command line: \"%s\"", arg_cmdline());

    enum acpi_err err = acpi_init();
    const struct acpi_rsdp *r = acpi_rsdp();
    if (!tap_ok(r != NULL, "RSDP found, checksum good"))
        tap_bail("no ACPI: %s", acpi_strerror(err));
    tap_diag("RSDP at %p, revision %u, %s at %p", (const void *)r, r->revision,
             acpi_root_is_xsdt() ? "XSDT" : "RSDT", (const void *)acpi_root());
    if (!tap_ok(err == ACPI_OK, "root table signature, length and checksum"))
        tap_bail("%s", acpi_strerror(err));

    const struct acpi_madt *m = (const void *)acpi_find("APIC");
    if (!tap_ok(m != NULL, "MADT (\"APIC\") listed in the root table"))
        tap_bail("no MADT");
    tap_ok(acpi_table_ok(&m->hdr), "MADT checksum");
    tap_diag("MADT at %p, %u bytes, local APIC at 0x%08x, flags 0x%x", (const void *)m,
             m->hdr.length, m->lapic_addr, m->flags);

    uint32_t bsp = cpuid_initial_apic_id();
    struct madt_census c = madt_census(m, bsp);
    tap_ok(!c.malformed, "MADT structures walk exactly to the end of the table");
    tap_ok(c.ioapics > 0, "MADT lists an I/O APIC");
    tap_diag("%u enabled processors, %u disabled; cpus=%u", c.enabled, c.disabled, cpus);
    tap_ok(have_cpus && c.enabled == cpus, "enabled processors in the MADT equal cpus=%u", cpus);
    tap_ok(!c.duplicate, "no APIC ID listed twice");
    tap_ok(c.bsp_listed, "BSP's APIC ID %u is listed and enabled", bsp);
    tap_done();
}
