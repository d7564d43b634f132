/*
 * test_fwcfg.c: QEMU's fw_cfg (emu/dev/fwcfg.h), read as SeaBIOS and Linux
 * read it: the traditional interface and DMA.
 */
#include "emu/dev/fwcfg.h"
#include "emu/platform.h"

#include <criterion/criterion.h>
#include <string.h>

static struct bus B;
static struct fwcfg F;
static uint8_t ram[64 * 1024];

static void setup(void)
{
    bus_init(&B);
    memset(ram, 0, sizeof ram);
    fwcfg_init(&F, &(struct guest_ram){ram, sizeof ram, NULL, 0});
    cr_assert_eq(fwcfg_register(&F, &B), 0);
}

static void select_key(uint16_t key)
{
    bus_pio_write(&B, PLAT_PORT_FW_CFG, key, 2);
}

static void read_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)bus_pio_read(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DATA, 1);
}

static uint32_t be32(uint32_t v)
{
    return __builtin_bswap32(v);
}

/* a DMA transfer as Linux's fw_cfg_dma_transfer() does it */
static uint32_t dma(uint32_t control, uint32_t length, uint64_t address)
{
    uint64_t desc = 0x100;
    uint32_t c = be32(control), l = be32(length);
    uint64_t a = __builtin_bswap64(address);
    memcpy(ram + desc, &c, 4);
    memcpy(ram + desc + 4, &l, 4);
    memcpy(ram + desc + 8, &a, 8);
    bus_pio_write(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA, be32((uint32_t)(desc >> 32)), 4);
    bus_pio_write(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA + 4, be32((uint32_t)desc), 4);
    memcpy(&c, ram + desc, 4);
    return be32(c);
}

Test(fwcfg, signature_and_id)
{
    setup();
    char sig[5] = {0};
    select_key(FW_CFG_SIGNATURE);
    read_bytes(sig, 4);
    cr_assert_str_eq(sig, "QEMU");
    uint32_t id;
    select_key(FW_CFG_ID);
    read_bytes(&id, 4);
    cr_assert_eq(id, FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
    uint8_t past;
    read_bytes(&past, 1);
    cr_assert_eq(past, 0, "past the end reads 0");
}

Test(fwcfg, dma_signature_register)
{
    setup();
    uint32_t hi = (uint32_t)bus_pio_read(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA, 4);
    uint32_t lo = (uint32_t)bus_pio_read(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA + 4, 4);
    cr_assert_eq(((uint64_t)be32(hi) << 32) | be32(lo), FW_CFG_DMA_SIGNATURE);
}

Test(fwcfg, machine_items)
{
    setup();
    static const uint16_t cpus = 4;
    static const uint64_t ram_size = 512ull << 20;
    static const char cmdline[] = "console=ttyS0";
    cr_assert_eq(fwcfg_add(&F, FW_CFG_NB_CPUS, &cpus, sizeof cpus), 0);
    cr_assert_eq(fwcfg_add(&F, FW_CFG_RAM_SIZE, &ram_size, sizeof ram_size), 0);
    cr_assert_eq(fwcfg_add(&F, FW_CFG_CMDLINE_DATA, cmdline, sizeof cmdline), 0);
    cr_assert_eq(fwcfg_add(&F, FW_CFG_NB_CPUS, &cpus, sizeof cpus), -1, "once per key");
    uint16_t n;
    select_key(FW_CFG_NB_CPUS);
    read_bytes(&n, 2);
    cr_assert_eq(n, 4);
    uint64_t r;
    select_key(FW_CFG_RAM_SIZE);
    read_bytes(&r, 8);
    cr_assert_eq(r, ram_size);
    char buf[sizeof cmdline];
    select_key(FW_CFG_CMDLINE_DATA);
    read_bytes(buf, sizeof buf);
    cr_assert_str_eq(buf, cmdline);
    select_key(0x1234);
    read_bytes(buf, 1);
    cr_assert_eq(buf[0], 0, "an absent key reads 0");
}

Test(fwcfg, file_directory)
{
    setup();
    static const char a[] = "aaaa", b[] = "bb";
    cr_assert_eq(fwcfg_add_file(&F, "etc/a", a, 4), 0);
    cr_assert_eq(fwcfg_add_file(&F, "opt/b", b, 2), 0);
    uint32_t count;
    select_key(FW_CFG_FILE_DIR);
    read_bytes(&count, 4);
    cr_assert_eq(be32(count), 2);
    struct fwcfg_file e[2];
    read_bytes(e, sizeof e);
    cr_assert_str_eq(e[0].name, "etc/a");
    cr_assert_eq(be32(e[0].size_be), 4);
    cr_assert_eq(__builtin_bswap16(e[0].select_be), FW_CFG_FILE_FIRST);
    cr_assert_str_eq(e[1].name, "opt/b");
    cr_assert_eq(__builtin_bswap16(e[1].select_be), FW_CFG_FILE_FIRST + 1);
    char got[3] = {0};
    select_key(FW_CFG_FILE_FIRST + 1);
    read_bytes(got, 2);
    cr_assert_str_eq(got, "bb");
    char long_name[FW_CFG_NAME_LEN + 1];
    memset(long_name, 'x', FW_CFG_NAME_LEN);
    long_name[FW_CFG_NAME_LEN] = 0;
    cr_assert_eq(fwcfg_add_file(&F, long_name, a, 4), -1);
}

Test(fwcfg, dma_select_read_and_skip)
{
    setup();
    static const char data[] = "0123456789";
    fwcfg_add_file(&F, "etc/d", data, 10);
    uint32_t sel = (uint32_t)FW_CFG_FILE_FIRST << 16;
    cr_assert_eq(dma(sel | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP, 3, 0), 0);
    cr_assert_eq(dma(FW_CFG_DMA_READ, 4, 0x1000), 0, "done: control reads 0");
    cr_assert(memcmp(ram + 0x1000, "3456", 4) == 0);
    cr_assert_eq(dma(FW_CFG_DMA_READ, 8, 0x2000), 0);
    cr_assert(memcmp(ram + 0x2000, "789\0\0\0\0\0", 8) == 0, "zeros past the end");
}

Test(fwcfg, dma_errors)
{
    setup();
    cr_assert_eq(dma(FW_CFG_DMA_READ | FW_CFG_DMA_SELECT, 16, sizeof ram - 8), FW_CFG_DMA_ERROR,
                 "outside RAM");
    cr_assert_eq(dma(FW_CFG_DMA_WRITE, 4, 0x1000), FW_CFG_DMA_ERROR, "nothing is writable");
    /* a descriptor outside RAM: ignored, never a crash */
    bus_pio_write(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA, 0xffffffff, 4);
    bus_pio_write(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA + 4, 0xffffffff, 4);
}

/* DMA to RAM above 4 GiB: the descriptor and the buffer may live there; not across its end */
Test(fwcfg, dma_above_4g)
{
    static uint8_t high[8192];
    bus_init(&B);
    memset(ram, 0, sizeof ram);
    memset(high, 0, sizeof high);
    fwcfg_init(&F, &(struct guest_ram){ram, sizeof ram, high, sizeof high});
    cr_assert_eq(fwcfg_register(&F, &B), 0);
    uint64_t desc = PLAT_RAM_ABOVE_4G + 0x100;
    uint32_t c = be32(FW_CFG_DMA_SELECT | FW_CFG_DMA_READ), l = be32(4);
    uint64_t a = __builtin_bswap64(PLAT_RAM_ABOVE_4G + 0x1000);
    memcpy(high + 0x100, &c, 4);
    memcpy(high + 0x104, &l, 4);
    memcpy(high + 0x108, &a, 8);
    bus_pio_write(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA, be32((uint32_t)(desc >> 32)), 4);
    bus_pio_write(&B, PLAT_PORT_FW_CFG + FW_CFG_PORT_DMA + 4, be32((uint32_t)desc), 4);
    memcpy(&c, high + 0x100, 4);
    cr_assert_eq(c, 0, "done");
    cr_assert(memcmp(high + 0x1000, "QEMU", 4) == 0, "the signature, at 4 GiB + 4 KiB");
    cr_assert_eq(dma(FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 16, PLAT_RAM_ABOVE_4G + sizeof high - 8),
                 FW_CFG_DMA_ERROR, "across the end of high RAM");
    cr_assert_eq(dma(FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4, PLAT_MMIO_HOLE_BASE), FW_CFG_DMA_ERROR,
                 "into the hole");
}
