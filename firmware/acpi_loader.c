/*
 * firmware/acpi_loader.c: the ACPI tables as QEMU's linker/loader files
 * (see acpi_loader.h). Field offsets: ACPI 6.3 5.2.5.3 (RSDP), 5.2.7-8
 * (RSDT, XSDT), 5.2.9 (FADT).
 */
#include "firmware/acpi_loader.h"

#include <stdio.h>
#include <string.h>

#define HDR_CHECKSUM  9 /* every table's checksum byte */
#define HDR_LEN       36
#define RSDP_CHECKSUM 8
#define RSDP_V1_LEN   20
#define RSDP_RSDT     16
#define RSDP_XSDT     24
#define RSDP_EXT_SUM  32
#define FADT_FACS     36
#define FADT_DSDT     40
#define FADT_X_FACS   132
#define FADT_X_DSDT   140
#define FACS_ALIGN    64
#define TABLE_ALIGN   8

#define NTABLES 8 /* in etc/acpi/tables, in this order */

static const struct fw_blob *table(const struct fw_layout *l, unsigned k)
{
    const struct fw_blob *t[NTABLES] = {&l->facs, &l->dsdt, &l->ssdt, &l->fadt,
                                        &l->madt, &l->hpet, &l->rsdt, &l->xsdt};
    return t[k];
}

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* each table's offset in etc/acpi/tables; returns the file's size */
static size_t place(const struct fw_layout *l, uint32_t off[NTABLES])
{
    size_t at = 0;
    for (unsigned k = 0; k < NTABLES; k++) {
        at = align_up(at, k == 0 ? FACS_ALIGN : TABLE_ALIGN);
        off[k] = (uint32_t)at;
        at += table(l, k)->len;
    }
    return at;
}

size_t fw_acpi_tables_size(const struct fw_layout *l)
{
    uint32_t off[NTABLES];
    return place(l, off);
}

struct builder {
    struct fw_acpi_files *f;
    unsigned n;
};

static uint8_t *command(struct builder *b, uint32_t cmd)
{
    uint8_t *e = b->f->loader + (size_t)b->n++ * FW_LOADER_ENTRY_SIZE;
    memset(e, 0, FW_LOADER_ENTRY_SIZE);
    memcpy(e, &cmd, 4);
    return e + 4;
}

static void put_name(uint8_t *at, const char *name)
{
    strncpy((char *)at, name, FW_LOADER_FILESZ - 1);
}

static void allocate(struct builder *b, const char *file, uint32_t align, uint8_t zone)
{
    uint8_t *e = command(b, FW_LOADER_ALLOCATE);
    put_name(e, file);
    memcpy(e + FW_LOADER_FILESZ, &align, 4);
    e[FW_LOADER_FILESZ + 4] = zone;
}

static void add_pointer(struct builder *b, const char *dest, uint32_t offset, uint8_t size)
{
    uint8_t *e = command(b, FW_LOADER_ADD_POINTER);
    put_name(e, dest);
    put_name(e + FW_LOADER_FILESZ, FW_LOADER_TABLES_FILE);
    memcpy(e + 2 * FW_LOADER_FILESZ, &offset, 4);
    e[2 * FW_LOADER_FILESZ + 4] = size;
}

static void add_checksum(struct builder *b, const char *file, uint32_t at, uint32_t start,
                         uint32_t len)
{
    uint8_t *e = command(b, FW_LOADER_ADD_CHECKSUM);
    put_name(e, file);
    memcpy(e + FW_LOADER_FILESZ, &at, 4);
    memcpy(e + FW_LOADER_FILESZ + 4, &start, 4);
    memcpy(e + FW_LOADER_FILESZ + 8, &len, 4);
}

/*
 * Turn the pointer field at p (size bytes, a guest-physical address) into
 * its target's offset in etc/acpi/tables and have the loader add the file's
 * address back. 0 stays 0 (no pointer); anything else must be a table.
 */
static int relocate(struct builder *b, const struct fw_layout *l, const uint32_t off[NTABLES],
                    uint8_t *p, const char *file, uint32_t field, uint8_t size, char *err,
                    size_t errlen)
{
    uint64_t v = 0;
    memcpy(&v, p, size);
    if (!v)
        return 0;
    if (b->n + NTABLES + 2 >= FW_LOADER_MAX) { /* room for the checksums after it */
        snprintf(err, errlen, "%s: more pointers than %u loader commands", file, FW_LOADER_MAX);
        return -1;
    }
    for (unsigned k = 0; k < NTABLES; k++) {
        if (table(l, k)->len && table(l, k)->addr == v) {
            uint64_t o = off[k];
            memcpy(p, &o, size);
            add_pointer(b, file, field, size);
            return 0;
        }
    }
    snprintf(err, errlen, "%s: the pointer at offset %u (0x%llx) is no table", file, field,
             (unsigned long long)v);
    return -1;
}

int fw_acpi_files(const struct fw_layout *l, const uint8_t *ram, uint64_t ram_len,
                  struct fw_acpi_files *f, char *err, size_t errlen)
{
    uint32_t off[NTABLES];
    size_t size = place(l, off);
    for (unsigned k = 0; k < NTABLES; k++) {
        const struct fw_blob *t = table(l, k);
        if (t->len && (t->addr > ram_len || ram_len - t->addr < t->len)) {
            snprintf(err, errlen, "table %u: outside the %llu bytes given", k,
                     (unsigned long long)ram_len);
            return -1;
        }
    }
    if (l->rsdp.len != FW_LOADER_RSDP_SIZE || l->rsdp.addr > ram_len - FW_LOADER_RSDP_SIZE) {
        snprintf(err, errlen, "rsdp: a v2 RSDP of %u bytes is needed", FW_LOADER_RSDP_SIZE);
        return -1;
    }
    memset(f->tables, 0, size);
    f->tables_len = (uint32_t)size;
    for (unsigned k = 0; k < NTABLES; k++)
        if (table(l, k)->len)
            memcpy(f->tables + off[k], ram + table(l, k)->addr, table(l, k)->len);
    memcpy(f->rsdp, ram + l->rsdp.addr, FW_LOADER_RSDP_SIZE);

    struct builder b = {f, 0};
    allocate(&b, FW_LOADER_RSDP_FILE, 16, FW_LOADER_ZONE_FSEG);
    allocate(&b, FW_LOADER_TABLES_FILE, FACS_ALIGN, FW_LOADER_ZONE_HIGH);
    const char *R = FW_LOADER_RSDP_FILE, *T = FW_LOADER_TABLES_FILE;
    if (relocate(&b, l, off, f->rsdp + RSDP_RSDT, R, RSDP_RSDT, 4, err, errlen) ||
        relocate(&b, l, off, f->rsdp + RSDP_XSDT, R, RSDP_XSDT, 8, err, errlen))
        return -1;
    /* RSDT (4-byte entries, index 6) and XSDT (8-byte, index 7) */
    for (unsigned k = 6; k < NTABLES; k++) {
        unsigned w = k == 6 ? 4 : 8;
        for (uint32_t e = HDR_LEN; e + w <= table(l, k)->len; e += w)
            if (relocate(&b, l, off, f->tables + off[k] + e, T, off[k] + e, (uint8_t)w, err,
                         errlen))
                return -1;
    }
    /* FADT (index 3): FACS and DSDT, 32- and 64-bit */
    static const struct {
        uint32_t at;
        uint8_t size;
    } fadt_ptrs[] = {{FADT_FACS, 4}, {FADT_DSDT, 4}, {FADT_X_FACS, 8}, {FADT_X_DSDT, 8}};
    for (unsigned p = 0; p < sizeof fadt_ptrs / sizeof fadt_ptrs[0]; p++)
        if (fadt_ptrs[p].at + fadt_ptrs[p].size <= l->fadt.len &&
            relocate(&b, l, off, f->tables + off[3] + fadt_ptrs[p].at, T, off[3] + fadt_ptrs[p].at,
                     fadt_ptrs[p].size, err, errlen))
            return -1;
    /* checksums once every pointer is patched; the FACS has none */
    for (unsigned k = 1; k < NTABLES; k++)
        if (table(l, k)->len)
            add_checksum(&b, T, off[k] + HDR_CHECKSUM, off[k], table(l, k)->len);
    add_checksum(&b, R, RSDP_CHECKSUM, 0, RSDP_V1_LEN); /* before the extended one */
    add_checksum(&b, R, RSDP_EXT_SUM, 0, FW_LOADER_RSDP_SIZE);
    f->loader_len = b.n * FW_LOADER_ENTRY_SIZE;
    return 0;
}
