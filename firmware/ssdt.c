/*
 * ssdt.c: the SSDT (ACPI 6.3 5.2.11.2) that declares one processor object
 * per vCPU, written at run time with the AML writer since -smp decides how
 * many there are (ACPI 6.3 8.4, "Declaring Processors").
 *
 *   FW_CPU_PROCESSOR:  Scope (\_PR_) { Processor (C000, 0, 0, 0) { _MAT _STA } ... }
 *   FW_CPU_DEVICE:     Scope (\_SB_) { Device (C000) { _HID _UID _MAT _STA } ... }
 *
 * vCPU i is named C%03X and its ACPI processor UID is i (the ProcID, or
 * _UID), which is the UID of its MADT entry; its _MAT (6.2.10) returns that
 * very entry. 5.2.12.12: a processor with an APIC ID of 255 or more must be
 * a Device object with a Local x2APIC entry, so in Processor style those
 * vCPUs are Device objects under \_SB_ all the same (a Processor's ProcID
 * is one byte, too).
 */
#include <string.h>

#include "firmware/acpi.h"
#include "firmware/aml.h"
#include "firmware/fw_internal.h"

#define SSDT_REVISION   2    /* 64-bit integers (5.2.11.1) */
#define CPU_NAME_LEN    5    /* "C%03X" and the NUL */
#define STA_PRESENT_ALL 0x0f /* 6.3.7 _STA: present, enabled, shown, functioning */
#define PROCESSOR_HID   "ACPI0007"

/* "C" and three hex digits: FW_MAX_VCPUS <= 0xfff (fw.c) */
static void cpu_name(char name[CPU_NAME_LEN], unsigned i)
{
    static const char hex[] = "0123456789ABCDEF";
    name[0] = 'C';
    for (unsigned d = 0; d < 3; d++)
        name[1 + d] = hex[(i >> (4 * (2 - d))) & 0xf];
    name[4] = '\0';
}

static void cpu_body(struct aml *a, const struct fw_config *cfg, unsigned i)
{
    uint8_t mat[MADT_CPU_ENTRY_MAX];
    size_t n = acpi_cpu_entry(cfg, i, mat);
    aml_name(a, "_MAT");
    aml_buffer(a, mat, n);
    aml_method_return_int(a, "_STA", STA_PRESENT_ALL);
}

static void cpu_device(struct aml *a, const struct fw_config *cfg, unsigned i)
{
    char name[CPU_NAME_LEN];
    cpu_name(name, i);
    aml_device_begin(a, name);
    aml_name(a, "_HID");
    aml_string(a, PROCESSOR_HID);
    aml_name(a, "_UID");
    aml_integer(a, i);
    cpu_body(a, cfg, i);
    aml_end(a);
}

/* no P_BLK: C2 and C3 do not exist (the FADT says so too) */
static void cpu_processor(struct aml *a, const struct fw_config *cfg, unsigned i)
{
    char name[CPU_NAME_LEN];
    cpu_name(name, i);
    aml_processor_begin(a, name, (uint8_t)i, 0, 0);
    cpu_body(a, cfg, i);
    aml_end(a);
}

static bool as_processor(const struct fw_config *cfg, unsigned i)
{
    return cfg->cpu_style == FW_CPU_PROCESSOR && !fw_is_x2apic(cfg, i);
}

static void cpu_scope(struct aml *a, const struct fw_config *cfg, bool processors)
{
    bool any = false;
    for (unsigned i = 0; i < cfg->ncpus && !any; i++)
        any = as_processor(cfg, i) == processors;
    if (!any)
        return;
    aml_scope_begin(a, processors ? "\\_PR_" : "\\_SB_");
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        if (as_processor(cfg, i) != processors)
            continue;
        if (processors)
            cpu_processor(a, cfg, i);
        else
            cpu_device(a, cfg, i);
    }
    aml_end(a);
}

int ssdt_build(const struct fw_config *cfg, struct fw_region *r, struct fw_blob *blob, char *err,
               size_t errlen)
{
    size_t room;
    uint8_t *p = fw_tail(r, FW_TABLE_ALIGN, &room);
    if (room < sizeof(struct acpi_header))
        return fw_fail(err, errlen, "SSDT: no room left in %s", r->name);

    struct aml a;
    aml_init(&a, p + sizeof(struct acpi_header), room - sizeof(struct acpi_header));
    cpu_scope(&a, cfg, true);
    cpu_scope(&a, cfg, false);
    const char *why;
    long len = aml_finish(&a, &why);
    if (len < 0)
        return fw_fail(err, errlen, "SSDT: %u processor objects: %s", cfg->ncpus, why);

    size_t total = sizeof(struct acpi_header) + (size_t)len;
    struct acpi_header h = {0};
    acpi_header_init(&h, "SSDT", SSDT_REVISION);
    memcpy(h.oem_table_id, "BAREMUCP", sizeof h.oem_table_id);
    memcpy(p, &h, sizeof h);
    acpi_header_finish((struct acpi_header *)p, (uint32_t)total);
    fw_commit(r, total, FW_TABLE_ALIGN, blob); /* claim what was written in place */
    return 0;
}
