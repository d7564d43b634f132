/*
 * QEMU's fw_cfg from a guest (QEMU docs/specs/fw_cfg.rst): the selector at
 * port 0x510, data bytes at 0x511, the DMA address at 0x514 (big-endian
 * 64 bits, the low half's write starts it).
 */
#ifndef GUEST_FWCFG_H
#define GUEST_FWCFG_H

#include <stdbool.h>
#include <stdint.h>

#define FW_CFG_PORT_SEL  0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA  0x514

#define FW_CFG_SIGNATURE    0x00
#define FW_CFG_ID           0x01
#define FW_CFG_RAM_SIZE     0x03
#define FW_CFG_NB_CPUS      0x05
#define FW_CFG_MAX_CPUS     0x0f
#define FW_CFG_BOOT_MENU    0x0e
#define FW_CFG_KERNEL_SIZE  0x08
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_FILE_DIR     0x19
#define FW_CFG_ID_DMA       0x02

#define FW_CFG_DMA_ERROR  0x01
#define FW_CFG_DMA_READ   0x02
#define FW_CFG_DMA_SKIP   0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE  0x10

struct fw_cfg_file { /* a directory entry; the numbers big-endian */
    uint32_t size;
    uint16_t select;
    uint16_t reserved;
    char name[56];
} __attribute__((packed));

struct fw_cfg_dma { /* FWCfgDmaAccess, big-endian */
    uint32_t control;
    uint32_t length;
    uint64_t address;
} __attribute__((packed));

void fwcfg_select(uint16_t key);
void fwcfg_read(void *buf, uint32_t len); /* from the selected item, through the data port */
uint64_t fwcfg_read_le(uint16_t key, unsigned n); /* an n-byte little-endian number item */
/* one DMA transfer with this control word; returns the control word as the device left it */
uint32_t fwcfg_dma(uint32_t control, void *buf, uint32_t len);
/* find a file by name: its key and size; false if it is not there */
bool fwcfg_find(const char *name, uint16_t *key, uint32_t *size);

static inline uint32_t be32(uint32_t v)
{
    return __builtin_bswap32(v);
}
static inline uint16_t be16(uint16_t v)
{
    return __builtin_bswap16(v);
}

#endif
