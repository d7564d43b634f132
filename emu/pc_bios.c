/*
 * pc_bios.c: the -bios machine, as QEMU's pc machine builds it for SeaBIOS
 * (hw/i386/pc.c, pc_sysfw.c, x86.c): the ROM at the top of 4 GiB and its
 * last 128 KiB below 1 MiB, 0xC0000-0xFFFFF under the i440FX's PAM
 * registers (all to the ROM at reset, so SeaBIOS copies itself into RAM
 * through them), and what SeaBIOS reads about the machine: fw_cfg's CPU
 * count and RAM size and the etc/e820 file (QEMU's docs/specs/fw_cfg.rst),
 * and the CMOS memory-size bytes QEMU writes (pc_cmos_init). The CPU maps
 * the ROM and the shadow itself (struct cpu_rom); the bus ranges here only
 * catch what reaches the MMIO path: writes, which are dropped.
 */
#include "emu/pc.h"

#include "emu/host.h"
#include "emu/platform.h"

#include <string.h>

#define FOUR_GIB (1ull << 32)

/* CMOS bytes (QEMU hw/i386/pc.c; the IBM AT BIOS's layout) */
#define CMOS_BASE_MEM_LO 0x15 /* base memory in KiB: 640 */
#define CMOS_BASE_MEM_HI 0x16
#define CMOS_EXT_MEM_LO  0x17 /* memory from 1 MiB in KiB, at most 65535 */
#define CMOS_EXT_MEM_HI  0x18
#define CMOS_EXT_MEM2_LO 0x30 /* the same again */
#define CMOS_EXT_MEM2_HI 0x31
#define CMOS_MEM_16M_LO  0x34 /* memory from 16 MiB in 64 KiB, at most 65535 */
#define CMOS_MEM_16M_HI  0x35
#define CMOS_MEM_4G_LO   0x5b /* memory from 4 GiB in 64 KiB, 3 bytes */
#define CMOS_SMP_COUNT   0x5f /* CPUs - 1 (QEMU's CMOS_BIOS_SMP_COUNT) */
#define BASE_MEM_KIB     640
#define CMOS_MAX16       0xffff

static uint64_t rom_read(void *opaque, uint64_t offset, unsigned size)
{
    const struct cpu_rom *rom = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && offset + i < rom->size; i++)
        v |= (uint64_t)rom->data[offset + i] << (8 * i);
    return v;
}

static void dropped_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)opaque, (void)offset, (void)value, (void)size; /* a ROM, or RAM PAM keeps closed */
}

/* the CPU serves every read of 0xC0000-0xFFFFF from a mapped page; only
 * writes the PAM registers refuse come here */
static uint64_t shadow_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque, (void)offset;
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static const struct io_ops rom_ops = {rom_read, dropped_write};
static const struct io_ops shadow_ops = {shadow_read, dropped_write};

static void pam_changed(void *opaque, const uint8_t rights[PCI_PAM_SEGS])
{
    struct pc *pc = opaque;
    for (unsigned k = 0; k < CPU_SHADOW_SEGS; k++)
        __atomic_store_n(&pc->rom.shadow[k], rights[k], __ATOMIC_RELEASE);
    __atomic_add_fetch(&pc->map_gen, 1, __ATOMIC_ACQ_REL); /* every CPU: cpu_map_sync */
}

static void cmos16(struct rtc *r, unsigned lo, uint64_t v)
{
    if (v > CMOS_MAX16)
        v = CMOS_MAX16;
    rtc_cmos_set(r, lo, (uint8_t)v);
    rtc_cmos_set(r, lo + 1, (uint8_t)(v >> 8));
}

static void cmos_memory(struct pc *pc)
{
    uint64_t ram = pc->cfg.ram.low_size, high = pc->cfg.ram.high_size;
    uint64_t ext_kib = ram > (1ull << 20) ? (ram >> 10) - 1024 : 0;
    cmos16(&pc->rtc, CMOS_BASE_MEM_LO, BASE_MEM_KIB);
    cmos16(&pc->rtc, CMOS_EXT_MEM_LO, ext_kib);
    cmos16(&pc->rtc, CMOS_EXT_MEM2_LO, ext_kib);
    cmos16(&pc->rtc, CMOS_MEM_16M_LO, ram > (16ull << 20) ? (ram - (16ull << 20)) >> 16 : 0);
    for (unsigned i = 0; i < 3; i++) /* RAM above 4 GiB in 64 KiB units, as QEMU's pc does */
        rtc_cmos_set(&pc->rtc, CMOS_MEM_4G_LO + i, (uint8_t)((high >> 16) >> (8 * i)));
    rtc_cmos_set(&pc->rtc, CMOS_SMP_COUNT, (uint8_t)(pc->cfg.ncpu - 1));
}

static int fwcfg_items(struct pc *pc)
{
    typeof(pc->bios_items) *it = &pc->bios_items;
    const struct guest_ram *r = &pc->cfg.ram;
    uint16_t n = (uint16_t)pc->cfg.ncpu;
    unsigned ne = 0;
    it->ncpus_le = n; /* little-endian, as x86 stores it */
    it->ram_le = guest_ram_total(r);
    it->e820[ne++] = (struct pc_e820_entry){.address = 0, .length = r->low_size, .type = 1};
    if (r->high_size)
        it->e820[ne++] =
            (struct pc_e820_entry){.address = PLAT_RAM_ABOVE_4G, .length = r->high_size, .type = 1};
    return fwcfg_add(&pc->fwcfg, FW_CFG_NB_CPUS, &it->ncpus_le, sizeof it->ncpus_le) ||
           fwcfg_add(&pc->fwcfg, FW_CFG_MAX_CPUS, &it->ncpus_le, sizeof it->ncpus_le) ||
           fwcfg_add(&pc->fwcfg, FW_CFG_RAM_SIZE, &it->ram_le, sizeof it->ram_le) ||
           fwcfg_add_file(&pc->fwcfg, "etc/e820", it->e820, ne * sizeof it->e820[0]);
}

int pc_bios_setup(struct pc *pc)
{
    uint64_t len = pc->cfg.bios_len;
    if (!len || len % PC_BIOS_ALIGN || len > PC_BIOS_MAX) {
        host_log("pc: a -bios ROM of %llu bytes\n", (unsigned long long)len);
        return -1;
    }
    pc->rom = (struct cpu_rom){.data = pc->cfg.bios, .base = FOUR_GIB - len, .size = len};
    pc->pci.pam_changed = pam_changed; /* PAM = 0 at reset: every segment to the ROM */
    pc->pci.pam_opaque = pc;
    cmos_memory(pc);
    if (bus_register_mmio(&pc->bus, pc->rom.base, len, &rom_ops, &pc->rom) ||
        bus_register_mmio(&pc->bus, CPU_SHADOW_BASE, CPU_SHADOW_END - CPU_SHADOW_BASE, &shadow_ops,
                          pc) ||
        fwcfg_items(pc)) {
        host_log("pc: the -bios ROM's ranges or fw_cfg items clash\n");
        return -1;
    }
    return 0;
}
