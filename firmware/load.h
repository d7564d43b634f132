/*
 * firmware/load.h: what the loaders share inside firmware/: a plan of the
 * whole load (segments, modules) checked against the image and the E820 map
 * before anything is written, and an ELF reader (System V ABI; ELF32 for
 * i386, ELF64 for x86-64) that fills the plan from PT_LOAD headers.
 */
#ifndef BAREMU_FW_LOAD_H
#define BAREMU_FW_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/fw.h"

#define FW_LOAD_MAX_SEGMENTS 16

struct fw_segment {
    uint64_t dst, filesz, memsz;
    size_t src; /* offset in the image */
};

struct fw_load {
    const char *who; /* the message prefix: "multiboot", "pvh" */
    const uint8_t *image;
    size_t len;
    uint64_t ram_len;
    struct fw_segment seg[FW_LOAD_MAX_SEGMENTS];
    unsigned nseg;
    uint64_t entry, image_start, image_end;
    struct fw_e820_entry map[FW_E820_MAX];
    int nmap;
    uint64_t mod_at[FW_MAX_MODULES];
    char *err;
    size_t errlen;
};

int fw_load_init(struct fw_load *l, const char *who, const struct fw_config *cfg, uint8_t *ram,
                 uint64_t ram_len, const uint8_t *image, size_t len, char *err, size_t errlen);

/* "who: " and the message into l->err; returns -1 */
__attribute__((format(printf, 2, 3))) int fw_load_fail(struct fw_load *l, const char *fmt, ...);

/* [dst, dst+len) lies in one usable E820 range, below 4 GiB and the buffer */
bool fw_load_in_ram(const struct fw_load *l, uint64_t dst, uint64_t len);

/* a segment: in usable RAM, clear of the boot information and of the others */
int fw_load_segment(struct fw_load *l, const char *what, uint64_t dst, uint64_t filesz,
                    uint64_t memsz, size_t src);

/* the PT_LOAD segments at their p_paddr, and e_entry; ELF64 only if elf64 */
int fw_load_elf(struct fw_load *l, bool elf64);
bool fw_is_elf(const uint8_t *image, size_t len);

/* the descriptor of the first note (name, type) in a PT_NOTE segment, or NULL */
const uint8_t *fw_elf_note(struct fw_load *l, const char *name, uint32_t type, uint32_t *descsz);

/* l->entry lies in the file part of a loaded segment */
int fw_load_check_entry(struct fw_load *l);

/* modules page-aligned after the image (and the boot information), into l->mod_at */
int fw_load_modules(struct fw_load *l, const struct fw_module *mods, unsigned nmods);

/* write the segments and modules; call only once everything is checked */
void fw_load_commit(struct fw_load *l, uint8_t *ram, const struct fw_module *mods, unsigned nmods);

#endif
