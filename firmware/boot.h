/*
 * firmware/boot.h: load whatever -kernel names, as QEMU's x86_load_linux()
 * decides: a Linux setup header ("HdrS") makes a bzImage; otherwise a
 * Multiboot 1 header makes a Multiboot kernel (an ELF may carry one: it is
 * tried before PVH); otherwise an ELF with a PVH note is a PVH kernel.
 */
#ifndef BAREMU_FW_BOOT_H
#define BAREMU_FW_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw.h"

enum fw_kernel_kind {
    FW_KERNEL_UNKNOWN,
    FW_KERNEL_LINUX,     /* linux.h */
    FW_KERNEL_MULTIBOOT, /* multiboot.h */
    FW_KERNEL_PVH,       /* pvh.h */
};

enum fw_kernel_kind fw_kernel_kind(const uint8_t *image, size_t len);
const char *fw_kernel_kind_name(enum fw_kernel_kind kind);

/*
 * After fw_build() (layout gives the RSDP), load the kernel image with its
 * command line and initrd (either may be NULL; for Multiboot the initrd is
 * module 0 with the string "initrd"; for PVH module 0 with no string, as
 * QEMU's -kernel -initrd hands it over) and say how to enter it.
 * Returns -1 with err naming the field of a bad image.
 */
int fw_load_kernel(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len,
                   const struct fw_layout *layout, const uint8_t *image, size_t len,
                   const char *cmdline, const uint8_t *initrd, size_t initrd_len,
                   struct fw_entry *entry, char *err, size_t errlen);

#endif
