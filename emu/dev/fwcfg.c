/*
 * fwcfg.c: QEMU's fw_cfg (see fwcfg.h).
 */
#include "emu/dev/fwcfg.h"

#include "emu/platform.h"

#include <string.h>

static const uint8_t signature[4] = {'Q', 'E', 'M', 'U'};

#define DMA_DESC_SIZE 16 /* FWCfgDmaAccess: be32 control, be32 length, be64 address */

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static const struct fwcfg_item *find(const struct fwcfg *f, uint16_t key)
{
    for (unsigned i = 0; i < f->nitems; i++)
        if (f->item[i].key == key)
            return &f->item[i];
    return NULL;
}

int fwcfg_add(struct fwcfg *f, uint16_t key, const void *data, uint32_t len)
{
    if (f->nitems == FW_CFG_MAX_ITEMS || find(f, key))
        return -1;
    f->item[f->nitems++] = (struct fwcfg_item){key, len, data};
    return 0;
}

int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, uint32_t len)
{
    size_t n = strlen(name);
    if (f->nfiles == FW_CFG_MAX_FILES || n >= FW_CFG_NAME_LEN)
        return -1;
    uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles);
    if (fwcfg_add(f, key, data, len))
        return -1;
    uint8_t *e = f->dir + 4 + f->nfiles * sizeof(struct fwcfg_file);
    put_be32(e, len);
    e[4] = (uint8_t)(key >> 8);
    e[5] = (uint8_t)key;
    memcpy(e + 8, name, n + 1);
    put_be32(f->dir, ++f->nfiles);
    /* the directory item grows with its files */
    for (unsigned i = 0; i < f->nitems; i++)
        if (f->item[i].key == FW_CFG_FILE_DIR)
            f->item[i].len = 4 + f->nfiles * (uint32_t)sizeof(struct fwcfg_file);
    return 0;
}

/* the selected item's byte at the current offset, 0 past its end */
static uint8_t next_byte(struct fwcfg *f)
{
    const struct fwcfg_item *it = find(f, f->selector);
    if (!it || f->offset >= it->len)
        return 0;
    return it->data[f->offset++];
}

static void dma_run(struct fwcfg *f, uint64_t addr)
{
    uint8_t *d = guest_ram_ptr(&f->ram, addr, DMA_DESC_SIZE);
    if (!d)
        return; /* the descriptor itself is not in RAM: nothing to report into */
    uint32_t control = get_be32(d), length = get_be32(d + 4);
    uint64_t target = get_be64(d + 8);
    if (control & FW_CFG_DMA_SELECT) {
        f->selector = (uint16_t)(control >> 16);
        f->offset = 0;
    }
    uint32_t result = 0;
    if (control & FW_CFG_DMA_WRITE) {
        result = FW_CFG_DMA_ERROR; /* XXX: no writable items */
    } else if (control & (FW_CFG_DMA_READ | FW_CFG_DMA_SKIP)) {
        uint8_t *buf = control & FW_CFG_DMA_READ ? guest_ram_ptr(&f->ram, target, length) : NULL;
        if (control & FW_CFG_DMA_READ && !buf) {
            result = FW_CFG_DMA_ERROR;
        } else {
            for (uint32_t i = 0; i < length; i++) {
                uint8_t b = next_byte(f);
                if (buf)
                    buf[i] = b;
            }
        }
    }
    put_be32(d, result); /* control reads 0 when done, or the error bit */
}

static uint64_t fwcfg_read(void *opaque, uint64_t offset, unsigned size)
{
    struct fwcfg *f = opaque;
    uint64_t v = 0;
    spin_lock(&f->lock);
    if (offset == FW_CFG_PORT_DATA) {
        v = next_byte(f); /* the data port is 8 bits wide on x86 */
    } else if (offset >= FW_CFG_PORT_DMA && offset < FW_CFG_PORT_DMA + 8) {
        /* the DMA address register reads as the signature, big-endian */
        unsigned at = (unsigned)(offset - FW_CFG_PORT_DMA);
        for (unsigned i = 0; i < size && at + i < 8; i++)
            v |= ((FW_CFG_DMA_SIGNATURE >> (8 * (7 - at - i))) & 0xff) << (8 * i);
    }
    spin_unlock(&f->lock);
    return v;
}

static uint64_t bswap_n(uint64_t v, unsigned size)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < size; i++)
        r |= ((v >> (8 * i)) & 0xff) << (8 * (size - 1 - i));
    return r;
}

static void fwcfg_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct fwcfg *f = opaque;
    spin_lock(&f->lock);
    if (offset == 0 && size == 2) {
        f->selector = (uint16_t)value;
        f->offset = 0;
    } else if (offset == FW_CFG_PORT_DMA && size == 4) {
        f->dma_addr = bswap_n(value, 4) << 32; /* the high half, big-endian */
    } else if (offset == FW_CFG_PORT_DMA + 4 && size == 4) {
        f->dma_addr |= bswap_n(value, 4);
        dma_run(f, f->dma_addr);
        f->dma_addr = 0;
    } else if (offset == FW_CFG_PORT_DMA && size == 8) {
        dma_run(f, bswap_n(value, 8));
    }
    spin_unlock(&f->lock);
}

static const struct io_ops fwcfg_ops = {fwcfg_read, fwcfg_write};

int fwcfg_register(struct fwcfg *f, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_FW_CFG, FW_CFG_PORTS, &fwcfg_ops, f);
}

void fwcfg_init(struct fwcfg *f, const struct guest_ram *ram)
{
    memset(f, 0, sizeof *f);
    if (ram)
        f->ram = *ram;
    f->id[0] = FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA;
    fwcfg_add(f, FW_CFG_SIGNATURE, signature, sizeof signature);
    fwcfg_add(f, FW_CFG_ID, f->id, sizeof f->id);
    fwcfg_add(f, FW_CFG_FILE_DIR, f->dir, 4);
}
