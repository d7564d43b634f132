/*
 * boot.c: pick the loader for a -kernel image (see boot.h), in the order of
 * QEMU's hw/i386/x86.c x86_load_linux().
 */
#include "firmware/boot.h"

#include <stdio.h>

#include "firmware/linux.h"
#include "firmware/multiboot.h"
#include "firmware/pvh.h"

#define INITRD_MODULE_STRING "initrd"

enum fw_kernel_kind fw_kernel_kind(const uint8_t *image, size_t len)
{
    if (image == NULL)
        return FW_KERNEL_UNKNOWN;
    if (linux_probe(image, len))
        return FW_KERNEL_LINUX;
    if (mb1_probe(image, len))
        return FW_KERNEL_MULTIBOOT;
    if (pvh_probe(image, len))
        return FW_KERNEL_PVH;
    return FW_KERNEL_UNKNOWN;
}

const char *fw_kernel_kind_name(enum fw_kernel_kind kind)
{
    switch (kind) {
    case FW_KERNEL_LINUX:
        return "Linux bzImage";
    case FW_KERNEL_MULTIBOOT:
        return "Multiboot";
    case FW_KERNEL_PVH:
        return "PVH ELF";
    default:
        return "unknown";
    }
}

int fw_load_kernel(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len,
                   const struct fw_layout *layout, const uint8_t *image, size_t len,
                   const char *cmdline, const uint8_t *initrd, size_t initrd_len,
                   struct fw_entry *entry, char *err, size_t errlen)
{
    const struct fw_module mod = {initrd, initrd_len, INITRD_MODULE_STRING};
    const struct fw_module pvh_mod = {initrd, initrd_len, NULL};
    unsigned nmods = initrd != NULL ? 1 : 0;
    switch (fw_kernel_kind(image, len)) {
    case FW_KERNEL_LINUX:
        return linux_load(cfg, ram, ram_len, image, len, cmdline, initrd, initrd_len,
                          layout->rsdp.addr, entry, err, errlen);
    case FW_KERNEL_MULTIBOOT:
        return mb1_load(cfg, ram, ram_len, image, len, cmdline, &mod, nmods, entry, err, errlen);
    case FW_KERNEL_PVH:
        return pvh_load(cfg, ram, ram_len, image, len, cmdline, &pvh_mod, nmods, layout->rsdp.addr,
                        entry, err, errlen);
    default:
        if (err != NULL && errlen > 0)
            snprintf(err, errlen,
                     "kernel: not a Linux bzImage (\"HdrS\" at 0x202), a Multiboot kernel "
                     "(magic 0x%08x in the first 8 KiB) or an ELF with a PVH note",
                     MB1_HEADER_MAGIC);
        return -1;
    }
}
