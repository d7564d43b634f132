/* hosted/dump_tables.h: -dump-tables DIR, the firmware tables as files. */
#ifndef HOSTED_DUMP_TABLES_H
#define HOSTED_DUMP_TABLES_H

#include <stddef.h>

#include "emu/cmdline.h"

/*
 * Build the tables for the machine cfg describes and write them into dir
 * (created if missing): one file per ACPI table named by its signature
 * (APIC.dat, DSDT.dat, ..., RSDP.dat), mptable.bin, smbios.bin, e820.txt
 * and layout.txt. Returns 0, or -1 with a one-line message in err.
 */
int dump_tables(const struct baremu_config *cfg, const char *dir, char *err, size_t errlen);

#endif
