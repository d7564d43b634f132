/*
 * firmware/smbios.h: DMTF SMBIOS 3.3.0 (DSP0134) entry points and the
 * structures baremu writes, as packed structs, for the builder and the tests.
 */
#ifndef BAREMU_FW_SMBIOS_H
#define BAREMU_FW_SMBIOS_H

#include <stdint.h>

/* 5.2.2 SMBIOS 3.0 (64-bit) entry point */
struct smbios3_entry {
    char anchor[5]; /* "_SM3_" */
    uint8_t checksum;
    uint8_t length; /* 0x18 */
    uint8_t major, minor, docrev;
    uint8_t revision; /* 1: the 3.0 entry point */
    uint8_t reserved;
    uint32_t table_max_size;
    uint64_t table_addr;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios3_entry) == 0x18, "SMBIOS 3.3 table 2");

/* 5.2.1 SMBIOS 2.1 (32-bit) entry point */
struct smbios2_entry {
    char anchor[4]; /* "_SM_" */
    uint8_t checksum;
    uint8_t length; /* 0x1f */
    uint8_t major, minor;
    uint16_t max_struct_size;
    uint8_t revision;
    uint8_t formatted[5];
    char int_anchor[5];   /* "_DMI_" */
    uint8_t int_checksum; /* over the 15 bytes from int_anchor */
    uint16_t table_length;
    uint32_t table_addr;
    uint16_t struct_count;
    uint8_t bcd_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios2_entry) == 0x1f, "SMBIOS 3.3 table 1");
#define SMBIOS2_INT_OFFSET 0x10

struct smbios_header {
    uint8_t type, length;
    uint16_t handle;
} __attribute__((packed));

struct smbios_type0 { /* 7.1 BIOS Information, 2.4+ */
    struct smbios_header h;
    uint8_t vendor, version;
    uint16_t start_segment;
    uint8_t release_date, rom_size;
    uint64_t characteristics;
    uint8_t ext[2];
    uint8_t major, minor, ec_major, ec_minor;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type0) == 0x18, "SMBIOS 7.1");

struct smbios_type1 { /* 7.2 System Information, 2.4+ */
    struct smbios_header h;
    uint8_t manufacturer, product, version, serial;
    uint8_t uuid[16];
    uint8_t wakeup_type, sku, family;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type1) == 0x1b, "SMBIOS 7.2");

struct smbios_type3 { /* 7.4 System Enclosure, 2.7+ */
    struct smbios_header h;
    uint8_t manufacturer, type, version, serial, asset_tag;
    uint8_t bootup_state, power_supply_state, thermal_state, security_status;
    uint32_t oem;
    uint8_t height, power_cords, element_count, element_length;
    uint8_t sku;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type3) == 0x16, "SMBIOS 7.4");

struct smbios_type4 { /* 7.5 Processor Information, 3.0+ */
    struct smbios_header h;
    uint8_t socket, type, family, manufacturer;
    uint64_t id;
    uint8_t version, voltage;
    uint16_t external_clock, max_speed, current_speed;
    uint8_t status, upgrade;
    uint16_t l1_handle, l2_handle, l3_handle;
    uint8_t serial, asset_tag, part_number;
    uint8_t core_count, core_enabled, thread_count;
    uint16_t characteristics, family2;
    uint16_t core_count2, core_enabled2, thread_count2;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type4) == 0x30, "SMBIOS 7.5");

struct smbios_type16 { /* 7.17 Physical Memory Array, 2.7+ */
    struct smbios_header h;
    uint8_t location, use, error_correction;
    uint32_t max_capacity_kb; /* 0x80000000: see the extended field */
    uint16_t error_handle;
    uint16_t devices;
    uint64_t ext_max_capacity;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type16) == 0x17, "SMBIOS 7.17");

struct smbios_type17 { /* 7.18 Memory Device, 2.8 layout */
    struct smbios_header h;
    uint16_t array_handle, error_handle, total_width, data_width, size;
    uint8_t form_factor, device_set, device_locator, bank_locator, memory_type;
    uint16_t type_detail, speed;
    uint8_t manufacturer, serial, asset_tag, part_number, attributes;
    uint32_t ext_size_mb;
    uint16_t configured_speed, min_voltage, max_voltage, configured_voltage;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type17) == 0x28, "SMBIOS 7.18");

struct smbios_type19 { /* 7.20 Memory Array Mapped Address, 2.7+ */
    struct smbios_header h;
    uint32_t start_kb, end_kb; /* end: the address of the last KiB */
    uint16_t array_handle;
    uint8_t partition_width;
    uint64_t ext_start, ext_end;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type19) == 0x1f, "SMBIOS 7.20");

struct smbios_type32 { /* 7.33 System Boot Information */
    struct smbios_header h;
    uint8_t reserved[6];
    uint8_t boot_status;
} __attribute__((packed));
_Static_assert(sizeof(struct smbios_type32) == 0x0b, "SMBIOS 7.33");

#define SMBIOS_TYPE_END      127
#define SMBIOS_CORE_COUNT_2  0xff /* 7.5.6: the count is in the 2 field */
#define SMBIOS_HANDLE_NONE   0xffff
#define SMBIOS_HANDLE_NO_ERR 0xfffe /* error information not provided */

#endif
