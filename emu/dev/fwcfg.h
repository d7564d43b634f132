/*
 * emu/dev/fwcfg.h: QEMU's firmware configuration device, as QEMU's
 * docs/specs/fw_cfg.rst documents it: the selector at port 0x510 (16 bits),
 * the data port at 0x511 (bytes, read sequentially), and the DMA interface at
 * 0x514 (a big-endian 64-bit address of a FWCfgDmaAccess in guest RAM; the
 * write of the low half at 0x518 starts it; reads give "QEMU CFG").
 *
 * Items are (key, bytes) pairs the machine adds before the guest starts,
 * plus named files in the file directory (key 0x19). The device keeps only
 * pointers: the bytes belong to the caller and must outlive the machine.
 * The signature and ID items are built in. Writes through DMA or the data
 * port are not supported (no writable items; XXX).
 *
 * DMA reaches all of guest RAM (struct guest_ram: below the hole and above
 * 4 GiB); a descriptor or buffer outside it, or across its end, sets the
 * error bit.
 *
 * Locking: one spinlock.
 */
#ifndef BAREMU_FWCFG_H
#define BAREMU_FWCFG_H

#include "emu/bus.h"
#include "emu/lock.h"
#include "emu/ram.h"

#include <stdint.h>

/* keys (fw_cfg.rst, "Selector Register") */
#define FW_CFG_SIGNATURE      0x00
#define FW_CFG_ID             0x01
#define FW_CFG_UUID           0x02
#define FW_CFG_RAM_SIZE       0x03
#define FW_CFG_NOGRAPHIC      0x04
#define FW_CFG_NB_CPUS        0x05
#define FW_CFG_KERNEL_ADDR    0x07
#define FW_CFG_KERNEL_SIZE    0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR    0x0a
#define FW_CFG_INITRD_SIZE    0x0b
#define FW_CFG_BOOT_DEVICE    0x0c
#define FW_CFG_BOOT_MENU      0x0e
#define FW_CFG_MAX_CPUS       0x0f
#define FW_CFG_KERNEL_ENTRY   0x10
#define FW_CFG_KERNEL_DATA    0x11
#define FW_CFG_INITRD_DATA    0x12
#define FW_CFG_CMDLINE_ADDR   0x13
#define FW_CFG_CMDLINE_SIZE   0x14
#define FW_CFG_CMDLINE_DATA   0x15
#define FW_CFG_SETUP_ADDR     0x16
#define FW_CFG_SETUP_SIZE     0x17
#define FW_CFG_SETUP_DATA     0x18
#define FW_CFG_FILE_DIR       0x19
#define FW_CFG_FILE_FIRST     0x20
#define FW_CFG_WRITE_CHANNEL  0x4000
#define FW_CFG_ARCH_LOCAL     0x8000
#define FW_CFG_E820_TABLE     (FW_CFG_ARCH_LOCAL + 3)

#define FW_CFG_ID_TRADITIONAL 0x01
#define FW_CFG_ID_DMA         0x02

/* DMA control bits (fw_cfg.rst, "DMA interface") */
#define FW_CFG_DMA_ERROR     0x01
#define FW_CFG_DMA_READ      0x02
#define FW_CFG_DMA_SKIP      0x04
#define FW_CFG_DMA_SELECT    0x08
#define FW_CFG_DMA_WRITE     0x10
#define FW_CFG_DMA_SIGNATURE 0x51454d5520434647ull /* "QEMU CFG" */

#define FW_CFG_PORTS     0x0c /* 0x510-0x51b */
#define FW_CFG_PORT_DATA 1
#define FW_CFG_PORT_DMA  4
#define FW_CFG_MAX_ITEMS 48
#define FW_CFG_MAX_FILES 32
#define FW_CFG_NAME_LEN  56

struct fwcfg_item {
    uint16_t key;
    uint32_t len;
    const uint8_t *data;
};

/* one file directory entry, as the guest reads it (big-endian fields) */
struct fwcfg_file {
    uint32_t size_be;
    uint16_t select_be;
    uint16_t reserved;
    char name[FW_CFG_NAME_LEN];
};
_Static_assert(sizeof(struct fwcfg_file) == 64, "FWCfgFile is 64 bytes");

struct fwcfg {
    struct spinlock lock;
    struct fwcfg_item item[FW_CFG_MAX_ITEMS];
    unsigned nitems;
    uint8_t dir[4 + FW_CFG_MAX_FILES * sizeof(struct fwcfg_file)];
    unsigned nfiles;
    uint8_t id[4];
    uint16_t selector;
    uint32_t offset;
    uint64_t dma_addr;
    struct guest_ram ram;
};

/* ram: where DMA goes; NULL for none */
void fwcfg_init(struct fwcfg *f, const struct guest_ram *ram);
int fwcfg_register(struct fwcfg *f, struct bus *bus);
/* 0, or -1 if the key is taken or the table is full; data must outlive the device */
int fwcfg_add(struct fwcfg *f, uint16_t key, const void *data, uint32_t len);
/* a named file in the directory, at the next key from 0x20; 0 or -1 */
int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, uint32_t len);

#endif
