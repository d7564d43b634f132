/*
 * fw.c: fw_build() and the E820 map (see fw.h), and the helpers the table
 * builders share. docs/firmware.md draws the layout.
 */
#include "firmware/fw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "firmware/fw_internal.h"

#define KIB          1024u
#define EBDA_SIZE_KB 1u
#define PAGE_SIZE    0x1000ull

_Static_assert(FW_MAX_VCPUS <= 0xfff, "processor object names are C000..CFFF");

int fw_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

uint8_t fw_checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + b[i]);
    return (uint8_t)-sum;
}

void fw_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

void fw_put32(uint8_t *p, uint32_t v)
{
    fw_put16(p, (uint16_t)v), fw_put16(p + 2, (uint16_t)(v >> 16));
}

void fw_put64(uint8_t *p, uint64_t v)
{
    fw_put32(p, (uint32_t)v), fw_put32(p + 4, (uint32_t)(v >> 32));
}

uint32_t fw_apic_id(const struct fw_config *cfg, unsigned i)
{
    return cfg->apic_ids != NULL ? cfg->apic_ids[i] : i;
}

bool fw_is_x2apic(const struct fw_config *cfg, unsigned i)
{
    return fw_apic_id(cfg, i) >= FW_X2APIC_MIN_ID;
}

uint64_t fw_low_ram_end(const struct fw_config *cfg)
{
    return cfg->ram_size < PLAT_MMIO_HOLE_BASE ? cfg->ram_size : PLAT_MMIO_HOLE_BASE;
}

uint64_t fw_acpi_region_base(const struct fw_config *cfg)
{
    return fw_low_ram_end(cfg) - FW_ACPI_REGION_SIZE;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

uint8_t *fw_tail(struct fw_region *r, size_t align, size_t *room)
{
    uint64_t at = align_up(r->next, align);
    *room = at < r->end ? (size_t)(r->end - at) : 0;
    return r->ram + at;
}

void fw_commit(struct fw_region *r, size_t len, size_t align, struct fw_blob *blob)
{
    uint64_t at = align_up(r->next, align);
    r->next = at + len;
    blob->addr = at, blob->len = (uint32_t)len;
}

void *fw_alloc(struct fw_region *r, size_t len, size_t align, struct fw_blob *blob,
               const char *what, char *err, size_t errlen)
{
    uint64_t at = align_up(r->next, align);
    if (at > r->end || len > r->end - at) {
        fw_fail(err, errlen, "%s: %zu bytes do not fit in %s (%llu bytes left)", what, len, r->name,
                (unsigned long long)(at < r->end ? r->end - at : 0));
        return NULL;
    }
    r->next = at + len;
    if (blob != NULL)
        blob->addr = at, blob->len = (uint32_t)len;
    memset(r->ram + at, 0, len);
    return r->ram + at;
}

/* ---- the configuration ---------------------------------------------------- */

static int check_config(const struct fw_config *cfg, char *err, size_t errlen)
{
    if (cfg->ncpus < 1 || cfg->ncpus > FW_MAX_VCPUS)
        return fw_fail(err, errlen, "ncpus: %u is out of range (1..%u)", cfg->ncpus, FW_MAX_VCPUS);
    if (cfg->cpu_style != FW_CPU_PROCESSOR && cfg->cpu_style != FW_CPU_DEVICE)
        return fw_fail(err, errlen, "cpu_style: %d is not a processor-object style",
                       (int)cfg->cpu_style);
    /* the ACPI region and a page of RAM must fit above 1 MiB */
    uint64_t min_ram = PLAT_HIGH_RAM_BASE + FW_ACPI_REGION_SIZE + PAGE_SIZE;
    if (cfg->ram_size < min_ram || cfg->ram_size % PAGE_SIZE != 0)
        return fw_fail(err, errlen,
                       "ram_size: %llu bytes is too small or not page-aligned (at least %llu: "
                       "1 MiB, the %u KiB ACPI region and a page)",
                       (unsigned long long)cfg->ram_size, (unsigned long long)min_ram,
                       FW_ACPI_REGION_SIZE / KIB);
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        uint32_t id = fw_apic_id(cfg, i);
        if (id == UINT32_MAX)
            return fw_fail(err, errlen, "apic_ids[%u]: 0xffffffff is the broadcast ID", i);
        /* ACPI 6.3 5.2.12.2: a Local APIC entry's processor UID is 8 bits */
        if (id < FW_X2APIC_MIN_ID && i > UINT8_MAX - 1)
            return fw_fail(err, errlen,
                           "apic_ids[%u]: xAPIC ID %u needs an ACPI processor UID below 255, "
                           "and vCPU %u's UID is %u",
                           i, id, i, i);
        if (cfg->apic_ids == NULL)
            continue;
        for (unsigned j = 0; j < i; j++)
            if (cfg->apic_ids[j] == id)
                return fw_fail(err, errlen, "apic_ids[%u]: ID %u is also vCPU %u's", i, id, j);
    }
    return 0;
}

/* ---- fw_build ------------------------------------------------------------- */

/* MP 1.4 4 and Linux's reserve_bios_regions() read these two words */
static void write_bda(uint8_t *ram)
{
    fw_put16(ram + FW_BDA_EBDA_SEG, (uint16_t)(PLAT_EBDA_BASE >> 4));
    fw_put16(ram + FW_BDA_BASE_KB, (uint16_t)(PLAT_EBDA_BASE / KIB));
    memset(ram + PLAT_EBDA_BASE, 0, EBDA_SIZE_KB * KIB);
    ram[PLAT_EBDA_BASE] = EBDA_SIZE_KB; /* the EBDA's first byte: its size in KiB */
}

int fw_build(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, struct fw_layout *out,
             char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (check_config(cfg, err, errlen) != 0)
        return -1;
    if (ram_len < fw_low_ram_end(cfg))
        return fw_fail(err, errlen,
                       "ram_len: the buffer holds %llu bytes, the tables need the %llu below "
                       "the MMIO hole",
                       (unsigned long long)ram_len, (unsigned long long)fw_low_ram_end(cfg));
    write_bda(ram);
    memset(ram + FW_FSEG_BASE, 0, FW_SMBIOS_END - FW_FSEG_BASE);
    if (acpi_build(cfg, ram, out, err, errlen) != 0 ||
        mptable_build(cfg, ram, out, err, errlen) != 0 ||
        smbios_build(cfg, ram, out, err, errlen) != 0)
        return -1;
    return 0;
}

/* ---- E820 ----------------------------------------------------------------- */

const char *fw_e820_type_name(uint32_t type)
{
    switch (type) {
    case E820_RAM:
        return "usable";
    case E820_RESERVED:
        return "reserved";
    case E820_ACPI:
        return "ACPI data";
    case E820_NVS:
        return "ACPI NVS";
    default:
        return "unknown";
    }
}

struct e820_builder {
    struct fw_e820_entry *map;
    unsigned max, n;
    bool overflow;
};

static void e820_add(struct e820_builder *b, uint64_t addr, uint64_t size, uint32_t type)
{
    if (size == 0)
        return;
    if (b->n >= b->max) {
        b->overflow = true;
        return;
    }
    b->map[b->n++] = (struct fw_e820_entry){addr, size, type};
}

/* the fixed MMIO windows of emu/platform.h, page-rounded, in address order */
static const struct {
    uint64_t base, size;
} mmio_windows[] = {
    {PLAT_VIRTIO_MMIO_BASE, PLAT_VIRTIO_MMIO_SIZE},
    {PLAT_IOAPIC_BASE, PLAT_IOAPIC_SIZE},
    {PLAT_HPET_BASE, PLAT_HPET_SIZE},
    {PLAT_LAPIC_BASE, PLAT_LAPIC_SIZE},
};

int fw_e820(const struct fw_config *cfg, struct fw_e820_entry *map, unsigned max, char *err,
            size_t errlen)
{
    if (check_config(cfg, err, errlen) != 0)
        return -1;
    struct e820_builder b = {map, max, 0, false};
    uint64_t low_end = fw_low_ram_end(cfg), acpi = fw_acpi_region_base(cfg);

    e820_add(&b, 0, PLAT_EBDA_BASE, E820_RAM);
    e820_add(&b, PLAT_EBDA_BASE, PLAT_LOW_RAM_END - PLAT_EBDA_BASE, E820_RESERVED);
    e820_add(&b, PLAT_LOW_RAM_END, PLAT_HIGH_RAM_BASE - PLAT_LOW_RAM_END, E820_RESERVED);
    e820_add(&b, PLAT_HIGH_RAM_BASE, acpi - PLAT_HIGH_RAM_BASE, E820_RAM);
    e820_add(&b, acpi, FW_ACPI_NVS_SIZE, E820_NVS);
    e820_add(&b, acpi + FW_ACPI_NVS_SIZE, low_end - acpi - FW_ACPI_NVS_SIZE, E820_ACPI);
    for (size_t i = 0; i < sizeof mmio_windows / sizeof mmio_windows[0]; i++)
        e820_add(&b, mmio_windows[i].base, align_up(mmio_windows[i].size, PAGE_SIZE),
                 E820_RESERVED);
    if (cfg->ram_size > PLAT_MMIO_HOLE_BASE)
        e820_add(&b, PLAT_RAM_ABOVE_4G, cfg->ram_size - PLAT_MMIO_HOLE_BASE, E820_RAM);
    if (b.overflow)
        return fw_fail(err, errlen, "max: the E820 map needs more than %u entries", max);
    return (int)b.n;
}
