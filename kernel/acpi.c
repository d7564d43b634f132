/*
 * kernel/acpi.c: find the host's CPUs, IOAPICs and timers in its ACPI tables
 * (ACPI 6.x chapter 5.2): RSDP, then XSDT (or RSDT), then MADT, HPET and FADT.
 * Every length and checksum is checked before a table is believed.
 */
#include <string.h>

#include "kernel/acpi.h"
#include "kernel/console.h"
#include "kernel/mm.h"

struct host_acpi host_acpi;

struct rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length; /* revision >= 2 from here */
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct rsdp) == 36, "ACPI 6.x 5.2.5.3");

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct sdt_header) == 36, "ACPI 6.x 5.2.6");

struct madt {
    struct sdt_header h;
    uint32_t lapic_base;
    uint32_t flags;
} __attribute__((packed));
#define MADT_PCAT_COMPAT 1u

enum madt_type { /* ACPI 6.x 5.2.12, table 5-45 */
    MADT_LAPIC = 0,
    MADT_IOAPIC = 1,
    MADT_LAPIC_ADDR_OVERRIDE = 5,
    MADT_X2APIC = 9,
};
#define MADT_ENABLED 1u
#define MADT_ONLINE_CAPABLE 2u

struct madt_lapic {
    uint8_t type, length, uid, apic_id;
    uint32_t flags;
} __attribute__((packed));
struct madt_ioapic {
    uint8_t type, length, id, reserved;
    uint32_t address, gsi_base;
} __attribute__((packed));
struct madt_lapic_override {
    uint8_t type, length;
    uint16_t reserved;
    uint64_t address;
} __attribute__((packed));
struct madt_x2apic {
    uint8_t type, length;
    uint16_t reserved;
    uint32_t apic_id, flags, uid;
} __attribute__((packed));

struct gas { /* generic address structure, ACPI 6.x 5.2.3.2 */
    uint8_t space, bit_width, bit_offset, access_size;
    uint64_t address;
} __attribute__((packed));

struct hpet_table {
    struct sdt_header h;
    uint32_t block_id;
    struct gas base;
} __attribute__((packed));

#define FADT_PM_TMR_BLK_OFFSET 76 /* ACPI 6.x 5.2.9, table 5-34 */
#define FADT_FLAGS_OFFSET 112
#define FADT_X_PM_TMR_BLK_OFFSET 208
#define FADT_TMR_VAL_EXT (1u << 8)

static bool checksum_ok(const void *p, uint32_t len)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

#define TABLE_MAX_LEN (16u << 20)

static const struct sdt_header *table_at(uint64_t addr)
{
    if (!mm_mapped(addr, sizeof(struct sdt_header)))
        return NULL;
    const struct sdt_header *h = (const void *)(uintptr_t)addr;
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

static void parse_madt(const struct madt *m)
{
    host_acpi.have_madt = true;
    host_acpi.lapic_base = m->lapic_base;
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
                add_cpu(x->apic_id, x->uid, x->flags);
            }
            break;
        case MADT_IOAPIC:
            if (p[1] >= sizeof(struct madt_ioapic) && host_acpi.nioapics < HOST_MAX_IOAPICS)
                host_acpi.ioapic_base[host_acpi.nioapics++] =
                    ((const struct madt_ioapic *)p)->address;
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

static void parse_fadt(const struct sdt_header *f)
{
    const uint8_t *b = (const uint8_t *)f;
    uint32_t port = 0, flags = 0;
    if (f->length >= FADT_PM_TMR_BLK_OFFSET + 4)
        memcpy(&port, b + FADT_PM_TMR_BLK_OFFSET, 4);
    if (f->length >= FADT_FLAGS_OFFSET + 4)
        memcpy(&flags, b + FADT_FLAGS_OFFSET, 4);
    if (f->length >= FADT_X_PM_TMR_BLK_OFFSET + sizeof(struct gas)) {
        struct gas g;
        memcpy(&g, b + FADT_X_PM_TMR_BLK_OFFSET, sizeof g);
        if (g.space == 1 && g.address) /* system I/O */
            port = (uint32_t)g.address;
    }
    if (port && port <= 0xffff) {
        host_acpi.pm_timer_port = (uint16_t)port;
        host_acpi.pm_timer_32bit = flags & FADT_TMR_VAL_EXT;
    }
}

static void parse_table(const struct sdt_header *h)
{
    if (!memcmp(h->signature, "APIC", 4) && h->length >= sizeof(struct madt))
        parse_madt((const struct madt *)h);
    else if (!memcmp(h->signature, "HPET", 4) && h->length >= sizeof(struct hpet_table))
        host_acpi.hpet_base = ((const struct hpet_table *)h)->base.address;
    else if (!memcmp(h->signature, "FACP", 4))
        parse_fadt(h);
}

void acpi_init(uint64_t rsdp_addr)
{
    const struct rsdp *r = (const void *)(uintptr_t)rsdp_addr;
    if (!rsdp_addr || memcmp(r->signature, "RSD PTR ", 8) || !checksum_ok(r, 20)) {
        kprintf("acpi: no valid RSDP; no MADT, so only the boot CPU will run\n");
        return;
    }
    bool use_xsdt = r->revision >= 2 && r->length >= sizeof *r && checksum_ok(r, sizeof *r) && r->xsdt;
    const struct sdt_header *root = table_at(use_xsdt ? r->xsdt : r->rsdt);
    if (!root) {
        kprintf("acpi: no usable %s; only the boot CPU will run\n", use_xsdt ? "XSDT" : "RSDT");
        return;
    }
    unsigned entry = use_xsdt ? 8 : 4;
    unsigned n = (root->length - sizeof *root) / entry;
    for (unsigned i = 0; i < n; i++) {
        uint64_t addr = 0;
        memcpy(&addr, (const uint8_t *)(root + 1) + i * entry, entry);
        const struct sdt_header *h = table_at(addr);
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
