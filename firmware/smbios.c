/*
 * smbios.c: the SMBIOS tables (DMTF DSP0134 3.3.0): a 3.0 64-bit entry point
 * and a 2.1 32-bit one for older readers, both pointing at one structure
 * table with types 0, 1, 3, 4, 16, 17, 19, 32 and 127.
 *
 * The machine is one processor socket with one core per vCPU and one thread
 * per core, and one memory device holding all the RAM.
 */
#include "firmware/smbios.h"

#include <string.h>

#include "emu/version.h"
#include "firmware/fw_internal.h"

#define SMBIOS3_MAJOR      3
#define SMBIOS3_MINOR      0
#define SMBIOS3_ENTRY_REV  1 /* 5.2.2: the 3.0 entry point format */
#define SMBIOS2_MAJOR      2 /* what the 32-bit entry point claims: the 2.8 layouts */
#define SMBIOS2_MINOR      8
#define SMBIOS_MAX_STRINGS 4
#define KIB                1024ull
#define MIB                (1024ull * 1024)

#define SM_VENDOR "baremu"
#define SM_DATE   "11/25/2026" /* mm/dd/yyyy, 7.1.1 */

enum handle {
    H_BIOS = 0x0000,
    H_SYSTEM = 0x0100,
    H_CHASSIS = 0x0300,
    H_CPU = 0x0400,
    H_MEM_ARRAY = 0x1000,
    H_MEM_DEVICE = 0x1100,
    H_MEM_MAPPED = 0x1300,
    H_BOOT = 0x2000,
    H_END = 0x7f00,
};

/* 7.1.1 BIOS Characteristics bit 3: not supported; ext byte 2 bit 4: a VM */
#define BIOS_CHAR_NOT_SUPPORTED (1ull << 3)
#define BIOS_EXT1_ACPI          (1u << 0)
#define BIOS_EXT2_VM            (1u << 4)
#define BIOS_START_SEGMENT      0xe800 /* as SeaBIOS: the size of the runtime image */
#define BIOS_EC_NONE            0xff
#define WAKEUP_POWER_SWITCH     6
#define ENCLOSURE_OTHER         1
#define STATE_SAFE              3
#define SECURITY_UNKNOWN        2
#define CPU_TYPE_CENTRAL        3
#define CPU_FAMILY_OTHER        1
#define CPU_STATUS_ENABLED      0x41 /* socket populated, CPU enabled */
#define CPU_UPGRADE_OTHER       1
#define CPU_CHAR_64BIT          (1u << 2)
#define CPU_CHAR_MULTICORE      (1u << 3)
#define MEM_LOCATION_BOARD      3
#define MEM_USE_SYSTEM          3
#define MEM_ECC_NONE            3
#define MEM_FORM_DIMM           9
#define MEM_TYPE_RAM            7
#define MEM_DETAIL_OTHER        (1u << 1)
#define MEM_WIDTH               64
#define MEM_SIZE_KB_UNITS       0x8000u /* 7.18.5 size bit 15: KiB, not MiB */
#define MEM_SIZE_EXTENDED       0x7fffu
#define MEM_CAPACITY_EXTENDED   0x80000000u

struct writer {
    uint8_t *p, *end;
    uint16_t count, max_size;
    bool full;
};

/* one structure: its formatted area, then its strings, then the double NUL */
static void put_struct(struct writer *w, void *formatted, const char *const *strings)
{
    struct smbios_header *h = formatted;
    size_t len = h->length, n = 0;
    for (; strings != NULL && strings[n] != NULL; n++)
        len += strlen(strings[n]) + 1;
    len += n == 0 ? 2 : 1;
    if (w->full || len > (size_t)(w->end - w->p)) {
        w->full = true;
        return;
    }
    memcpy(w->p, formatted, h->length);
    uint8_t *q = w->p + h->length;
    for (size_t i = 0; i < n; i++)
        q = (uint8_t *)memcpy(q, strings[i], strlen(strings[i]) + 1) + strlen(strings[i]) + 1;
    *q++ = 0;
    if (n == 0)
        *q++ = 0;
    w->p = q;
    w->count++;
    if (len > w->max_size)
        w->max_size = (uint16_t)len;
}

#define HDR(t, handle)                                                                             \
    {                                                                                              \
        (t), sizeof(struct smbios_type##t), (handle)                                               \
    }
#define STRINGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void put_platform(struct writer *w)
{
    struct smbios_type0 bios = {HDR(0, H_BIOS),
                                1,
                                2,
                                BIOS_START_SEGMENT,
                                3,
                                0,
                                BIOS_CHAR_NOT_SUPPORTED,
                                {BIOS_EXT1_ACPI, BIOS_EXT2_VM},
                                0,
                                1,
                                BIOS_EC_NONE,
                                BIOS_EC_NONE};
    put_struct(w, &bios, STRINGS(SM_VENDOR, BAREMU_VERSION, SM_DATE));
    struct smbios_type1 sys = {HDR(1, H_SYSTEM), 1, 2, 3, 0, {0}, WAKEUP_POWER_SWITCH, 0, 0};
    put_struct(w, &sys, STRINGS(SM_VENDOR, "baremu PC", BAREMU_VERSION));
    struct smbios_type3 chassis = {HDR(3, H_CHASSIS),
                                   1,
                                   ENCLOSURE_OTHER,
                                   0,
                                   0,
                                   0,
                                   STATE_SAFE,
                                   STATE_SAFE,
                                   STATE_SAFE,
                                   SECURITY_UNKNOWN,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0};
    put_struct(w, &chassis, STRINGS(SM_VENDOR));
}

/* 7.5.6, 7.5.7: counts of 255 and up go in the 2 fields, with 0xFF in the old ones */
static uint8_t count8(unsigned n)
{
    return n < SMBIOS_CORE_COUNT_2 ? (uint8_t)n : SMBIOS_CORE_COUNT_2;
}

static void put_cpu(struct writer *w, unsigned ncpus)
{
    struct smbios_type4 cpu = {HDR(4, H_CPU),
                               .socket = 1,
                               .type = CPU_TYPE_CENTRAL,
                               .family = CPU_FAMILY_OTHER,
                               .manufacturer = 2,
                               .version = 3,
                               .status = CPU_STATUS_ENABLED,
                               .upgrade = CPU_UPGRADE_OTHER,
                               .l1_handle = SMBIOS_HANDLE_NONE,
                               .l2_handle = SMBIOS_HANDLE_NONE,
                               .l3_handle = SMBIOS_HANDLE_NONE};
    cpu.core_count = cpu.core_enabled = cpu.thread_count = count8(ncpus);
    cpu.core_count2 = cpu.core_enabled2 = cpu.thread_count2 = (uint16_t)ncpus;
    cpu.characteristics = CPU_CHAR_64BIT | (ncpus > 1 ? CPU_CHAR_MULTICORE : 0);
    cpu.family2 = CPU_FAMILY_OTHER;
    put_struct(w, &cpu, STRINGS("CPU 0", SM_VENDOR, "baremu virtual CPU"));
}

static void put_memory(struct writer *w, const struct fw_config *cfg)
{
    uint64_t ram = cfg->ram_size, kb = ram / KIB, mb = ram / MIB;
    struct smbios_type16 array = {HDR(16, H_MEM_ARRAY),
                                  MEM_LOCATION_BOARD,
                                  MEM_USE_SYSTEM,
                                  MEM_ECC_NONE,
                                  0,
                                  SMBIOS_HANDLE_NO_ERR,
                                  1,
                                  0};
    if (kb < MEM_CAPACITY_EXTENDED)
        array.max_capacity_kb = (uint32_t)kb;
    else
        array.max_capacity_kb = MEM_CAPACITY_EXTENDED, array.ext_max_capacity = ram;
    put_struct(w, &array, NULL);

    struct smbios_type17 dev = {
        HDR(17, H_MEM_DEVICE),    .array_handle = H_MEM_ARRAY, .error_handle = SMBIOS_HANDLE_NO_ERR,
        .total_width = MEM_WIDTH, .data_width = MEM_WIDTH,     .form_factor = MEM_FORM_DIMM,
        .device_locator = 1,      .memory_type = MEM_TYPE_RAM, .type_detail = MEM_DETAIL_OTHER};
    if (ram % MIB != 0 && kb < MEM_SIZE_KB_UNITS)
        dev.size = (uint16_t)(kb | MEM_SIZE_KB_UNITS);
    else if (mb < MEM_SIZE_EXTENDED)
        dev.size = (uint16_t)mb;
    else
        dev.size = MEM_SIZE_EXTENDED, dev.ext_size_mb = (uint32_t)mb;
    put_struct(w, &dev, STRINGS("DIMM 0"));

    /* 7.20: one per RAM range, below the MMIO hole and from 4 GiB */
    uint64_t ranges[2][2] = {{0, fw_low_ram_end(cfg)},
                             {PLAT_RAM_ABOVE_4G, PLAT_RAM_ABOVE_4G + ram - fw_low_ram_end(cfg)}};
    for (unsigned i = 0; i < 2; i++) {
        if (ranges[i][1] == ranges[i][0])
            continue;
        struct smbios_type19 m = {HDR(19, (uint16_t)(H_MEM_MAPPED + i)),
                                  .start_kb = (uint32_t)(ranges[i][0] / KIB),
                                  .end_kb = (uint32_t)((ranges[i][1] - 1) / KIB),
                                  .array_handle = H_MEM_ARRAY, .partition_width = 1};
        put_struct(w, &m, NULL);
    }
}

int smbios_build(const struct fw_config *cfg, uint8_t *ram, struct fw_layout *out, char *err,
                 size_t errlen)
{
    struct writer w = {ram + FW_SMBIOS_ADDR, ram + FW_SMBIOS_END, 0, 0, false};
    put_platform(&w);
    put_cpu(&w, cfg->ncpus);
    put_memory(&w, cfg);
    struct smbios_type32 boot = {HDR(32, H_BOOT), {0}, 0};
    put_struct(&w, &boot, NULL);
    struct smbios_header end = {SMBIOS_TYPE_END, sizeof end, H_END};
    put_struct(&w, &end, NULL);
    if (w.full)
        return fw_fail(err, errlen, "smbios_table: the structures exceed the %u bytes reserved",
                       FW_SMBIOS_END - FW_SMBIOS_ADDR);
    uint32_t len = (uint32_t)(w.p - (ram + FW_SMBIOS_ADDR));
    out->smbios_table = (struct fw_blob){FW_SMBIOS_ADDR, len};

    struct smbios3_entry *e3 = (struct smbios3_entry *)(ram + FW_SMBIOS3_ADDR);
    memset(e3, 0, sizeof *e3);
    memcpy(e3->anchor, "_SM3_", sizeof e3->anchor);
    e3->length = sizeof *e3;
    e3->major = SMBIOS3_MAJOR, e3->minor = SMBIOS3_MINOR;
    e3->revision = SMBIOS3_ENTRY_REV;
    e3->table_max_size = len;
    e3->table_addr = FW_SMBIOS_ADDR;
    e3->checksum = fw_checksum(e3, sizeof *e3);
    out->smbios3_entry = (struct fw_blob){FW_SMBIOS3_ADDR, sizeof *e3};

    struct smbios2_entry *e2 = (struct smbios2_entry *)(ram + FW_SMBIOS2_ADDR);
    memset(e2, 0, sizeof *e2);
    memcpy(e2->anchor, "_SM_", sizeof e2->anchor);
    e2->length = sizeof *e2;
    e2->major = SMBIOS2_MAJOR, e2->minor = SMBIOS2_MINOR;
    e2->max_struct_size = w.max_size;
    memcpy(e2->int_anchor, "_DMI_", sizeof e2->int_anchor);
    e2->table_length = (uint16_t)len;
    e2->table_addr = FW_SMBIOS_ADDR;
    e2->struct_count = w.count;
    e2->bcd_revision = SMBIOS2_MAJOR << 4 | SMBIOS2_MINOR;
    e2->int_checksum =
        fw_checksum((uint8_t *)e2 + SMBIOS2_INT_OFFSET, sizeof *e2 - SMBIOS2_INT_OFFSET);
    e2->checksum = fw_checksum(e2, sizeof *e2);
    out->smbios2_entry = (struct fw_blob){FW_SMBIOS2_ADDR, sizeof *e2};
    return 0;
}
