/*
 * rt/fwcfg.h: reading QEMU's fw_cfg through its ports and its DMA interface.
 */
#include "guest.h"
#include "fwcfg.h"

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

void fwcfg_select(uint16_t key)
{
    outw(FW_CFG_PORT_SEL, key);
}

void fwcfg_read(void *buf, uint32_t len)
{
    uint8_t *p = buf;
    for (uint32_t i = 0; i < len; i++)
        p[i] = inb(FW_CFG_PORT_DATA);
}

uint64_t fwcfg_read_le(uint16_t key, unsigned n)
{
    uint8_t b[8] = {0};
    fwcfg_select(key);
    fwcfg_read(b, n > 8 ? 8 : n);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

uint32_t fwcfg_dma(uint32_t control, void *buf, uint32_t len)
{
    static volatile struct fw_cfg_dma d __attribute__((aligned(16)));
    d.control = be32(control);
    d.length = be32(len);
    d.address = __builtin_bswap64((uint64_t)(uintptr_t)buf);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    outl(FW_CFG_PORT_DMA, 0); /* the high half, big-endian: 0 */
    outl(FW_CFG_PORT_DMA + 4, be32((uint32_t)(uintptr_t)&d));
    /* the spec lets the device finish later: wait until control clears or errs */
    for (uint32_t spin = 0; spin < 100000000u && (be32(d.control) & ~FW_CFG_DMA_ERROR); spin++)
        cpu_pause();
    return be32(d.control);
}

bool fwcfg_find(const char *name, uint16_t *key, uint32_t *size)
{
    uint32_t count;
    fwcfg_select(FW_CFG_FILE_DIR);
    fwcfg_read(&count, 4);
    count = be32(count);
    for (uint32_t i = 0; i < count && i < 4096; i++) {
        struct fw_cfg_file f;
        fwcfg_read(&f, sizeof f);
        if (strncmp(f.name, name, sizeof f.name) == 0) {
            *key = be16(f.select);
            *size = be32(f.size);
            return true;
        }
    }
    return false;
}
