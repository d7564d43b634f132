/*
 * dump_tables.c: -dump-tables DIR. Builds the firmware tables exactly as a
 * guest would get them (firmware/fw.h) and writes each one to a file that
 * standard tools read; docs/firmware.md lists the files.
 *
 *   RSDP.dat FACP.dat ...  one ACPI table each, as `acpidump -b` writes them
 *                          (iasl -d, acpiexec); named by signature
 *   mptable.bin            the MP floating pointer at offset 0, the
 *                          configuration table at 16 (the pointer says 16)
 *   smbios.bin             the 3.0 entry point at 0, the table at 32 (the
 *                          entry point says 32): `dmidecode --from-dump`
 *   e820.txt               the memory map, one "[mem A-B] type" line each
 *   layout.txt             where each table is in guest-physical memory
 */
#include "hosted/dump_tables.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emu/platform.h"
#include "firmware/fw.h"
#include "firmware/mptable.h"
#include "firmware/smbios.h"

#define PATH_MAX_LEN     4096
#define SMBIOS_DUMP_BASE 32 /* dmidecode --dump-bin puts the table here */

struct dump {
    const char *dir;
    const uint8_t *ram;
    char *err;
    size_t errlen;
};

static int write_file(struct dump *d, const char *name, const void *p, size_t len)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "%s/%s", d->dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
        snprintf(d->err, d->errlen, "-dump-tables: cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_blob(struct dump *d, const char *name, struct fw_blob b)
{
    return b.len == 0 ? 0 : write_file(d, name, d->ram + b.addr, b.len);
}

static int write_acpi(struct dump *d, const struct fw_layout *l)
{
    const struct {
        const char *name;
        struct fw_blob blob;
    } tables[] = {
        {"RSDP.dat", l->rsdp}, {"RSDT.dat", l->rsdt}, {"XSDT.dat", l->xsdt},
        {"FACP.dat", l->fadt}, {"FACS.dat", l->facs}, {"APIC.dat", l->madt},
        {"HPET.dat", l->hpet}, {"DSDT.dat", l->dsdt}, {"SSDT.dat", l->ssdt},
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (write_blob(d, tables[i].name, tables[i].blob) != 0)
            return -1;
    return 0;
}

static int write_mptable(struct dump *d, const struct fw_layout *l)
{
    size_t len = l->mp_floating.len + l->mp_config.len;
    uint8_t *buf = malloc(len);
    if (buf == NULL)
        return snprintf(d->err, d->errlen, "-dump-tables: out of memory"), -1;
    memcpy(buf, d->ram + l->mp_floating.addr, l->mp_floating.len);
    memcpy(buf + l->mp_floating.len, d->ram + l->mp_config.addr, l->mp_config.len);
    struct mp_floating *f = (struct mp_floating *)buf;
    f->config_addr = l->mp_floating.len;
    f->checksum = 0;
    f->checksum = fw_checksum(f, sizeof *f);
    int rc = write_file(d, "mptable.bin", buf, len);
    free(buf);
    return rc;
}

static int write_smbios(struct dump *d, const struct fw_layout *l)
{
    size_t len = SMBIOS_DUMP_BASE + l->smbios_table.len;
    uint8_t *buf = calloc(1, len);
    if (buf == NULL)
        return snprintf(d->err, d->errlen, "-dump-tables: out of memory"), -1;
    memcpy(buf, d->ram + l->smbios3_entry.addr, l->smbios3_entry.len);
    memcpy(buf + SMBIOS_DUMP_BASE, d->ram + l->smbios_table.addr, l->smbios_table.len);
    struct smbios3_entry *e = (struct smbios3_entry *)buf;
    e->table_addr = SMBIOS_DUMP_BASE;
    e->checksum = 0;
    e->checksum = fw_checksum(e, sizeof *e);
    int rc = write_file(d, "smbios.bin", buf, len);
    free(buf);
    return rc;
}

static int write_text(struct dump *d, const char *name, const char *text)
{
    return write_file(d, name, text, strlen(text));
}

/* the E820 map as Linux prints it: "BIOS-e820: [mem 0x...-0x...] usable" */
static int write_e820(struct dump *d, const struct fw_config *cfg)
{
    struct fw_e820_entry map[FW_E820_MAX];
    int n = fw_e820(cfg, map, FW_E820_MAX, d->err, d->errlen);
    if (n < 0)
        return -1;
    char text[FW_E820_MAX * 80] = "";
    for (int i = 0; i < n; i++) {
        size_t at = strlen(text);
        snprintf(text + at, sizeof text - at, "BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n",
                 (unsigned long long)map[i].addr,
                 (unsigned long long)(map[i].addr + map[i].size - 1),
                 fw_e820_type_name(map[i].type));
    }
    return write_text(d, "e820.txt", text);
}

static int write_layout(struct dump *d, const struct fw_layout *l)
{
    const struct {
        const char *name;
        struct fw_blob blob;
    } rows[] = {
        {"RSDP", l->rsdp},
        {"RSDT", l->rsdt},
        {"XSDT", l->xsdt},
        {"FACP", l->fadt},
        {"FACS", l->facs},
        {"APIC", l->madt},
        {"HPET", l->hpet},
        {"DSDT", l->dsdt},
        {"SSDT", l->ssdt},
        {"MP floating pointer", l->mp_floating},
        {"MP configuration", l->mp_config},
        {"SMBIOS 3.0 entry", l->smbios3_entry},
        {"SMBIOS 2.1 entry", l->smbios2_entry},
        {"SMBIOS table", l->smbios_table},
        {"ACPI NVS region", l->acpi_nvs},
        {"ACPI reclaim region", l->acpi_reclaim},
    };
    char text[4096] = "";
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t at = strlen(text);
        snprintf(text + at, sizeof text - at, "%-22s 0x%08llx %6u bytes\n", rows[i].name,
                 (unsigned long long)rows[i].blob.addr, rows[i].blob.len);
    }
    size_t at = strlen(text);
    snprintf(text + at, sizeof text - at,
             "MADT: %u Local APIC, %u Local x2APIC entries; MP table: %u processors\n",
             l->madt_lapic, l->madt_x2apic, l->mp_cpus);
    return write_text(d, "layout.txt", text);
}

int dump_tables(const struct baremu_config *cfg, const char *dir, char *err, size_t errlen)
{
    struct fw_config fc = {cfg->smp, NULL, cfg->ram_bytes, FW_CPU_PROCESSOR};
    /* only the RAM below the MMIO hole holds tables; calloc maps it lazily */
    uint64_t len = cfg->ram_bytes < PLAT_MMIO_HOLE_BASE ? cfg->ram_bytes : PLAT_MMIO_HOLE_BASE;
    uint8_t *ram = calloc(1, len);
    if (ram == NULL)
        return snprintf(err, errlen, "-dump-tables: cannot allocate %llu bytes of guest RAM",
                        (unsigned long long)len),
               -1;
    struct fw_layout l;
    char why[256];
    struct dump d = {dir, ram, err, errlen};
    int rc = -1;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        snprintf(err, errlen, "-dump-tables: cannot create '%s': %s", dir, strerror(errno));
    else if (fw_build(&fc, ram, len, &l, why, sizeof why) != 0)
        snprintf(err, errlen, "-dump-tables: %s", why);
    else if (write_acpi(&d, &l) == 0 && write_mptable(&d, &l) == 0 && write_smbios(&d, &l) == 0 &&
             write_e820(&d, &fc) == 0 && write_layout(&d, &l) == 0)
        rc = 0;
    free(ram);
    return rc;
}
