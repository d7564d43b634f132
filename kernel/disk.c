/*
 * kernel/disk.c: a boot module as the guest's virtio-blk disk (see disk.h).
 * The device checks every request against the sector count before it calls
 * here, so a request always lies inside the module.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/disk.h"

struct ramdisk {
    uint8_t *base;
    uint64_t sectors;
};

static struct ramdisk disk; /* one guest, one disk */

static int ramdisk_read(void *opaque, uint64_t sector, void *buf, uint32_t bytes)
{
    struct ramdisk *d = opaque;
    memcpy(buf, d->base + sector * VIRTIO_BLK_SECTOR, bytes);
    return 0;
}

static int ramdisk_write(void *opaque, uint64_t sector, const void *buf, uint32_t bytes)
{
    struct ramdisk *d = opaque;
    memcpy(d->base + sector * VIRTIO_BLK_SECTOR, buf, bytes);
    return 0;
}

static int ramdisk_flush(void *opaque)
{
    (void)opaque;
    return 0; /* RAM is all there is */
}

int disk_from_module(const struct boot_module *mod, struct blk_backend *out, char *err,
                     size_t errlen)
{
    uint64_t len = mod->end - mod->start;
    if (len == 0 || len % VIRTIO_BLK_SECTOR) {
        snprintf(err, errlen,
                 "-drive: module '%s' is %llu bytes, not a whole number of %u-byte sectors",
                 mod->cmdline, (unsigned long long)len, VIRTIO_BLK_SECTOR);
        return -1;
    }
    disk = (struct ramdisk){(uint8_t *)(uintptr_t)mod->start, len / VIRTIO_BLK_SECTOR};
    *out = (struct blk_backend){ramdisk_read, ramdisk_write, ramdisk_flush,
                                disk.sectors, false,         &disk};
    return 0;
}
