/*
 * pvh.c: the PVH loader (see pvh.h). The entry is the XEN_ELFNOTE_PHYS32_ENTRY
 * note's 32-bit physical address (Linux writes it as 8 bytes, baremu as 4);
 * the start info, the module list, the memory map and the strings go at
 * FW_BOOTINFO_BASE, the modules after the kernel.
 */
#include "firmware/pvh.h"

#include <string.h>

#include "firmware/load.h"

static size_t info_size(const char *cmdline, const struct fw_module *mods, unsigned nmods, int nmap)
{
    size_t n = sizeof(struct hvm_start_info) + nmods * sizeof(struct hvm_modlist_entry) +
               (size_t)nmap * sizeof(struct hvm_memmap_table_entry) +
               (cmdline ? strlen(cmdline) : 0) + 1;
    for (unsigned i = 0; i < nmods; i++)
        n += (mods[i].string ? strlen(mods[i].string) : 0) + 1;
    return n;
}

static uint64_t put(uint8_t *ram, uint64_t *at, const void *p, size_t len)
{
    uint64_t addr = *at;
    memcpy(ram + addr, p, len);
    *at += len;
    return addr;
}

static void write_start_info(const struct fw_load *l, uint8_t *ram, const char *cmdline,
                             const struct fw_module *mods, unsigned nmods, uint64_t rsdp)
{
    uint64_t at = FW_BOOTINFO_BASE + sizeof(struct hvm_start_info);
    struct hvm_start_info si = {
        PVH_START_MAGIC, PVH_START_VERSION, 0, nmods, 0, 0, rsdp, 0, (uint32_t)l->nmap, 0};
    memset(ram + FW_BOOTINFO_BASE, 0, info_size(cmdline, mods, nmods, l->nmap));
    si.memmap_paddr = at;
    for (int i = 0; i < l->nmap; i++) {
        struct hvm_memmap_table_entry e = {l->map[i].addr, l->map[i].size, l->map[i].type, 0};
        put(ram, &at, &e, sizeof e);
    }
    si.modlist_paddr = nmods > 0 ? at : 0;
    uint64_t list = at;
    at += nmods * sizeof(struct hvm_modlist_entry);
    si.cmdline_paddr = put(ram, &at, cmdline ? cmdline : "", (cmdline ? strlen(cmdline) : 0) + 1);
    for (unsigned i = 0; i < nmods; i++) {
        const char *s = mods[i].string;
        /* no string: cmdline_paddr 0, as QEMU's PVH option ROM leaves its -initrd module */
        struct hvm_modlist_entry m = {l->mod_at[i], mods[i].len,
                                      s ? put(ram, &at, s, strlen(s) + 1) : 0, 0};
        memcpy(ram + list + i * sizeof m, &m, sizeof m);
    }
    memcpy(ram + FW_BOOTINFO_BASE, &si, sizeof si);
}

/* the PHYS32_ENTRY note: 4 bytes, or 8 with the high half zero */
static int note_entry(struct fw_load *l)
{
    uint32_t descsz = 0;
    const uint8_t *d = fw_elf_note(l, PVH_NOTE_NAME, PVH_NOTE_PHYS32_ENTRY, &descsz);
    if (d == NULL)
        return fw_load_fail(l, "no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
    uint64_t v = 0;
    if (descsz != sizeof(uint32_t) && descsz != sizeof(uint64_t))
        return fw_load_fail(l, "XEN_ELFNOTE_PHYS32_ENTRY: %u bytes (want 4 or 8)", descsz);
    memcpy(&v, d, descsz);
    if (v > UINT32_MAX)
        return fw_load_fail(l, "XEN_ELFNOTE_PHYS32_ENTRY 0x%llx is above 4 GiB",
                            (unsigned long long)v);
    l->entry = v;
    return 0;
}

int pvh_probe(const uint8_t *image, size_t len)
{
    struct fw_load l;
    memset(&l, 0, sizeof l);
    l.who = "pvh", l.image = image, l.len = len;
    uint32_t descsz;
    return fw_is_elf(image, len) &&
           fw_elf_note(&l, PVH_NOTE_NAME, PVH_NOTE_PHYS32_ENTRY, &descsz) != NULL;
}

int pvh_load(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, const uint8_t *image,
             size_t len, const char *cmdline, const struct fw_module *mods, unsigned nmods,
             uint64_t rsdp, struct fw_entry *entry, char *err, size_t errlen)
{
    struct fw_load l;
    if (fw_load_init(&l, "pvh", cfg, ram, ram_len, image, len, err, errlen) != 0 ||
        fw_load_elf(&l, true) != 0 || note_entry(&l) != 0 || fw_load_check_entry(&l) != 0 ||
        fw_load_modules(&l, mods, nmods) != 0)
        return -1;
    size_t need = info_size(cmdline, mods, nmods, l.nmap);
    if (need > FW_BOOTINFO_END - FW_BOOTINFO_BASE)
        return fw_load_fail(&l,
                            "cmdline and module strings: %zu bytes of start info exceed the %u "
                            "reserved",
                            need, FW_BOOTINFO_END - FW_BOOTINFO_BASE);

    fw_load_commit(&l, ram, mods, nmods);
    write_start_info(&l, ram, cmdline, mods, nmods, rsdp);
    *entry = (struct fw_entry){.mode = FW_ENTRY_PROTECTED32,
                               .eip = (uint32_t)l.entry,
                               .ebx = FW_BOOTINFO_BASE,
                               .image_start = l.image_start,
                               .image_end = l.image_end};
    return 0;
}
