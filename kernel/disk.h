/*
 * kernel/disk.h: the guest's disk on bare metal. -drive file=NAME names a
 * boot module (GRUB: "module2 /boot/disk.img disk.img"); its bytes in RAM
 * are the disk. The guest reads and writes them through virtio-blk; writes
 * stay in RAM and are gone when the machine stops (there is no host disk
 * driver yet).
 */
#ifndef BAREMU_KERNEL_DISK_H
#define BAREMU_KERNEL_DISK_H

#include <stddef.h>

#include "emu/dev/virtio_blk.h"
#include "kernel/bootinfo.h"

/* the module as a disk: 0, or -1 with err saying why (not whole sectors, empty) */
int disk_from_module(const struct boot_module *mod, struct blk_backend *out, char *err,
                     size_t errlen);

#endif
