/*
 * fwcfg: QEMU's firmware configuration device as QEMU's
 * docs/specs/fw_cfg.rst documents it, read through its ports and its DMA
 * interface:
 *
 *   - the signature "QEMU" (key 0x00), the ID (key 0x01: traditional
 *     interface and DMA), the DMA address register reading "QEMU CFG";
 *   - the CPU count (key 0x05) is cpus=N, the maximum (0x0f) no less; the
 *     boot menu flag (0x0e) is off;
 *   - the RAM size (key 0x03) covers the Multiboot memory map's RAM and
 *     ends within a MiB of it;
 *   - the file directory (key 0x19): a count, then entries with unique keys
 *     from 0x20 up and NUL-terminated names; "etc/e820" is there, whole
 *     20-byte entries whose RAM lies inside RAM;
 *   - DMA: a read gives what the data port gives; select, skip then read;
 *     a write is refused with the error bit (no item is writable);
 *   - the command line item (keys 0x14/0x15), where the engine has one, is
 *     what followed the kernel's name on the Multiboot command line. QEMU's
 *     Multiboot loader passes the command line in the Multiboot information
 *     only, so there the check is skipped.
 */
#include "rt/fwcfg.h"
#include "rt/guest.h"

#define DIR_MAX       64
#define E820_ENTRY    20
#define E820_RAM      1
#define FOUR_GIB      0x100000000ull
#define MIB           (1ull << 20)
#define DMA_SIGNATURE "QEMU CFG"

static uint8_t buf_port[4096], buf_dma[4096];

/* the Multiboot map's RAM: the highest address below 4 GiB, and how much above */
static void mmap_ram(const struct multiboot_info *mbi, uint64_t *low_end, uint64_t *high)
{
    *low_end = *high = 0;
    for (uint32_t off = 0; (mbi->flags & MULTIBOOT_INFO_MEM_MAP) && off < mbi->mmap_length;) {
        const multiboot_memory_map_t *e = phys_ptr(mbi->mmap_addr + off);
        if (e->type == MULTIBOOT_MEMORY_AVAILABLE) {
            if (e->addr >= FOUR_GIB)
                *high += e->len;
            else if (e->addr + e->len > *low_end)
                *low_end = e->addr + e->len;
        }
        off += e->size + sizeof e->size;
    }
}

static void check_directory(void)
{
    uint32_t count;
    fwcfg_select(FW_CFG_FILE_DIR);
    fwcfg_read(&count, 4);
    count = be32(count);
    static struct fw_cfg_file dir[DIR_MAX];
    uint32_t n = count < DIR_MAX ? count : DIR_MAX;
    fwcfg_read(dir, n * (uint32_t)sizeof dir[0]);
    bool ok = count > 0 && count <= 0x1000;
    for (uint32_t i = 0; i < n; i++) {
        ok &= be16(dir[i].select) >= 0x20 && memchr(dir[i].name, 0, sizeof dir[i].name) != NULL;
        for (uint32_t j = 0; j < i; j++)
            ok &= dir[i].select != dir[j].select;
    }
    tap_ok(ok, "file directory: %u entries, unique keys from 0x20, NUL-terminated names", count);
}

static void check_e820(uint64_t ram_size)
{
    uint16_t key;
    uint32_t size;
    if (!fwcfg_find("etc/e820", &key, &size)) {
        tap_ok(false, "the directory lists etc/e820");
        tap_skip("no etc/e820", "etc/e820 entries");
        tap_skip("no etc/e820", "DMA read equals the data port");
        return;
    }
    tap_ok(size % E820_ENTRY == 0 && size && size <= sizeof buf_port,
           "the directory lists etc/e820: %u bytes, whole %u-byte entries", size, E820_ENTRY);
    if (size > sizeof buf_port)
        size = sizeof buf_port;
    fwcfg_select(key);
    fwcfg_read(buf_port, size);
    uint64_t low = ram_size < 0xc0000000ull ? ram_size : 0xc0000000ull;
    bool inside = true;
    for (uint32_t off = 0; off + E820_ENTRY <= size; off += E820_ENTRY) {
        uint64_t addr, len;
        uint32_t type;
        memcpy(&addr, buf_port + off, 8);
        memcpy(&len, buf_port + off + 8, 8);
        memcpy(&type, buf_port + off + 16, 4);
        if (type != E820_RAM)
            continue;
        bool below = addr + len <= low,
             above = addr >= FOUR_GIB && addr + len <= FOUR_GIB + (ram_size - low);
        inside &= below || above;
    }
    tap_ok(inside, "every RAM entry of etc/e820 lies inside the RAM size");
    uint32_t ctl =
        fwcfg_dma(FW_CFG_DMA_SELECT | FW_CFG_DMA_READ | (uint32_t)key << 16, buf_dma, size);
    tap_ok(ctl == 0 && memcmp(buf_port, buf_dma, size) == 0,
           "a DMA read of etc/e820 gives what the data port gave (control 0x%x)", ctl);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic;
    uint32_t cpus = 1;
    arg_u32("cpus", &cpus);
    tap_plan(13);

    char sig[5] = {0};
    fwcfg_select(FW_CFG_SIGNATURE);
    fwcfg_read(sig, 4);
    tap_ok(memcmp(sig, "QEMU", 4) == 0, "signature \"%s\"", sig);
    uint32_t id = (uint32_t)fwcfg_read_le(FW_CFG_ID, 4);
    tap_ok((id & 1) && (id & FW_CFG_ID_DMA), "ID 0x%x: the traditional interface and DMA", id);
    char dsig[9] = {0};
    for (int i = 0; i < 8; i++)
        dsig[i] = (char)inb(FW_CFG_PORT_DMA + i);
    tap_ok(memcmp(dsig, DMA_SIGNATURE, 8) == 0, "the DMA address register reads \"%s\"", dsig);

    uint32_t nb = (uint32_t)fwcfg_read_le(FW_CFG_NB_CPUS, 2),
             max = (uint32_t)fwcfg_read_le(FW_CFG_MAX_CPUS, 2);
    tap_ok(nb == cpus && max >= nb, "CPU count %u is cpus=%u, maximum %u", nb, cpus, max);
    tap_ok(fwcfg_read_le(FW_CFG_BOOT_MENU, 2) == 0, "the boot menu is off");

    uint64_t ram = fwcfg_read_le(FW_CFG_RAM_SIZE, 8), low_end, high;
    mmap_ram(mbi, &low_end, &high);
    uint64_t covered = (low_end < 0xc0000000ull || !high) ? low_end + high : 0xc0000000ull + high;
    tap_ok(ram >= covered && ram - covered <= MIB && ram % MIB == 0,
           "RAM size %llu KiB covers the memory map's RAM, %llu KiB, to within a MiB",
           (unsigned long long)(ram >> 10), (unsigned long long)(covered >> 10));

    check_directory();
    check_e820(ram);

    char part[3] = {0};
    uint32_t ctl = fwcfg_dma(FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP | FW_CFG_SIGNATURE << 16, NULL, 2);
    ctl |= fwcfg_dma(FW_CFG_DMA_READ, part, 2);
    tap_ok(ctl == 0 && memcmp(part, "MU", 2) == 0, "DMA select, skip 2, read 2: \"%s\"", part);
    ctl = fwcfg_dma(FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE | FW_CFG_SIGNATURE << 16, part, 2);
    tap_ok(ctl & FW_CFG_DMA_ERROR, "a DMA write is refused with the error bit (control 0x%x)", ctl);

    uint32_t len = (uint32_t)fwcfg_read_le(FW_CFG_CMDLINE_SIZE, 4);
    if (!len) {
        tap_skip("no command line item (QEMU's Multiboot loader has none)",
                 "the fw_cfg command line");
    } else {
        static char line[512];
        fwcfg_select(FW_CFG_CMDLINE_DATA);
        fwcfg_read(line, len < sizeof line ? len : sizeof line);
        line[sizeof line - 1] = 0;
        const char *mb = arg_cmdline();
        size_t l = strlen(line), m = strlen(mb);
        tap_ok(len == l + 1 && l <= m && strncmp(mb + m - l, line, l) == 0,
               "the command line item \"%s\" ends the Multiboot command line", line);
    }
    tap_done();
}
