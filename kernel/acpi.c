/*
 * kernel/acpi.c: find the host's CPUs, IOAPICs and timers in its ACPI tables
 * (ACPI 6.x chapter 5.2): RSDP, then XSDT (or RSDT), then MADT, HPET and FADT.
 * Every length and checksum is checked before a table is believed.
 */
#include <stddef.h>
#include <string.h>

#include "firmware/acpi.h" /* the table layouts, shared with the guest firmware */
#include "kernel/acpi.h"
#include "kernel/console.h"
#include "kernel/mm.h"

struct host_acpi host_acpi;

/* The LAPIC address override (ACPI 6.x 5.2.12.8) is the one MADT entry the
 * guest's tables never carry, so firmware/acpi.h does not define it. */
#define MADT_LAPIC_ADDR_OVERRIDE 5
struct madt_lapic_override {
    uint8_t type, length;
    uint16_t reserved;
    uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic_override) == 12, "ACPI 6.x table 5-54");

/* a table is good when its bytes, checksum included, sum to 0 */
static bool checksum_ok(const void *p, uint32_t len) { return fw_checksum(p, len) == 0; }

#define TABLE_MAX_LEN (16u << 20)

static const struct acpi_header *table_at(uint64_t addr)
{
    if (!mm_mapped(addr, sizeof(struct acpi_header)))
        return NULL;
    const struct acpi_header *h = (const void *)(uintptr_t)addr;
    if (!mm_mapped(addr, h->length))
        return NULL;
    if (h->length < sizeof *h || h->length > TABLE_MAX_LEN || !checksum_ok(h, h->length)) {
        kprintf("acpi: table %.4s at %#llx has a bad length or checksum; ignored\n", h->signature,
                (unsigned long long)addr);
        return NULL;
    }
    return h;
}

static void add_cpu(uint32_t apic_id, uint32_t uid, uint32_t flags)
{
    if (!(flags & MADT_ENABLED))
        return; /* online-capable CPUs would need hot-plug; not supported */
    for (unsigned i = 0; i < host_acpi.ncpus; i++)
        if (host_acpi.cpus[i].apic_id == apic_id)
            return; /* listed as both LAPIC and x2APIC */
    if (host_acpi.ncpus == MAX_HOST_CPUS) {
        host_acpi.ncpus_skipped++;
        return;
    }
    host_acpi.cpus[host_acpi.ncpus++] = (struct host_cpu_desc){apic_id, uid};
}

static void parse_madt(const struct acpi_madt *m)
{
    host_acpi.have_madt = true;
    host_acpi.lapic_base = m->lapic_addr;
    host_acpi.pcat_compat = m->flags & MADT_PCAT_COMPAT;
    const uint8_t *p = (const uint8_t *)(m + 1), *end = (const uint8_t *)m + m->h.length;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        switch (p[0]) {
        case MADT_LAPIC:
            if (p[1] >= sizeof(struct madt_lapic)) {
                const struct madt_lapic *l = (const void *)p;
                add_cpu(l->apic_id, l->uid, l->flags);
            }
            break;
        case MADT_X2APIC:
            if (p[1] >= sizeof(struct madt_x2apic)) {
                const struct madt_x2apic *x = (const void *)p;
                add_cpu(x->x2apic_id, x->uid, x->flags);
            }
            break;
        case MADT_IOAPIC:
            if (p[1] >= sizeof(struct madt_ioapic) && host_acpi.nioapics < HOST_MAX_IOAPICS)
                host_acpi.ioapic_base[host_acpi.nioapics++] =
                    ((const struct madt_ioapic *)p)->addr;
            break;
        case MADT_LAPIC_ADDR_OVERRIDE:
            if (p[1] >= sizeof(struct madt_lapic_override))
                host_acpi.lapic_base = ((const struct madt_lapic_override *)p)->address;
            break;
        default:
            break;
        }
        p += p[1];
    }
}

static void parse_fadt(const struct acpi_header *h)
{
    const struct acpi_fadt *f = (const void *)h;
    uint32_t port = 0, flags = 0;
    if (h->length >= offsetof(struct acpi_fadt, pm_tmr_blk) + sizeof f->pm_tmr_blk)
        port = f->pm_tmr_blk;
    if (h->length >= offsetof(struct acpi_fadt, flags) + sizeof f->flags)
        flags = f->flags;
    if (h->length >= offsetof(struct acpi_fadt, x_pm_tmr_blk) + sizeof f->x_pm_tmr_blk &&
        f->x_pm_tmr_blk.space_id == ACPI_AS_IO && f->x_pm_tmr_blk.address)
        port = (uint32_t)f->x_pm_tmr_blk.address;
    if (port && port <= 0xffff) {
        host_acpi.pm_timer_port = (uint16_t)port;
        host_acpi.pm_timer_32bit = flags & FADT_TMR_VAL_EXT;
    }
}

static void parse_table(const struct acpi_header *h)
{
    if (!memcmp(h->signature, "APIC", 4) && h->length >= sizeof(struct acpi_madt))
        parse_madt((const struct acpi_madt *)h);
    else if (!memcmp(h->signature, "HPET", 4) && h->length >= sizeof(struct acpi_hpet))
        host_acpi.hpet_base = ((const struct acpi_hpet *)h)->base.address;
    else if (!memcmp(h->signature, "FACP", 4))
        parse_fadt(h);
}

void acpi_init(uint64_t rsdp_addr)
{
    const struct acpi_rsdp *r = (const void *)(uintptr_t)rsdp_addr;
    if (!rsdp_addr || memcmp(r->signature, "RSD PTR ", 8) || !checksum_ok(r, ACPI_RSDP_V1_LEN)) {
        kprintf("acpi: no valid RSDP; no MADT, so only the boot CPU will run\n");
        return;
    }
    bool use_xsdt = r->revision >= ACPI_RSDP_REVISION && r->length >= sizeof *r &&
                    checksum_ok(r, sizeof *r) && r->xsdt_addr;
    const struct acpi_header *root = table_at(use_xsdt ? r->xsdt_addr : r->rsdt_addr);
    if (!root) {
        kprintf("acpi: no usable %s; only the boot CPU will run\n", use_xsdt ? "XSDT" : "RSDT");
        return;
    }
    unsigned entry = use_xsdt ? 8 : 4;
    unsigned n = (root->length - sizeof *root) / entry;
    for (unsigned i = 0; i < n; i++) {
        uint64_t addr = 0;
        memcpy(&addr, (const uint8_t *)(root + 1) + i * entry, entry);
        const struct acpi_header *h = table_at(addr);
        if (h)
            parse_table(h);
    }
    if (!host_acpi.have_madt)
        kprintf("acpi: no MADT; only the boot CPU will run\n");
    else
        kprintf("acpi: %u CPUs enabled in the MADT, %u IOAPIC(s), LAPIC at %#llx%s\n",
                host_acpi.ncpus, host_acpi.nioapics, (unsigned long long)host_acpi.lapic_base,
                host_acpi.pcat_compat ? ", 8259s present" : "");
    if (host_acpi.ncpus_skipped)
        kprintf("acpi: %u more CPUs ignored (at most %u supported)\n", host_acpi.ncpus_skipped,
                MAX_HOST_CPUS);
}
