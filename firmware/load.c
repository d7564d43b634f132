/*
 * load.c: the loaders' shared plan and ELF reader (see load.h). ELF layouts
 * from the System V ABI (4.1 "ELF Header", 5.1 "Program Header") and its
 * i386 and x86-64 supplements.
 */
#include "firmware/load.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "firmware/fw_internal.h"

#define FOUR_GIB       0x100000000ull
#define MODULE_ALIGN   0x1000u
#define ELF_MAGIC      "\177ELF"
#define ELF_MAGIC_LEN  4
#define EI_CLASS       4
#define EI_DATA        5
#define ELF_CLASS32    1
#define ELF_CLASS64    2
#define ELF_DATA2LSB   1
#define ELF_ET_EXEC    2
#define ELF_EM_386     3
#define ELF_EM_X86_64  62
#define ELF_PT_LOAD    1
#define ELF_PT_NOTE    4
#define ELF_NOTE_ALIGN 4

struct elf32_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __attribute__((packed));
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header");

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __attribute__((packed));
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header");

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
} __attribute__((packed));
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header");

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
} __attribute__((packed));
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

struct elf_note {
    uint32_t namesz, descsz, type;
} __attribute__((packed));

/* one program header of either class, widened */
struct phdr {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz;
};

int fw_load_fail(struct fw_load *l, const char *fmt, ...)
{
    if (l->err != NULL && l->errlen > 0) {
        int n = snprintf(l->err, l->errlen, "%s: ", l->who);
        va_list ap;
        va_start(ap, fmt);
        if (n > 0 && (size_t)n < l->errlen)
            vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int fw_load_init(struct fw_load *l, const char *who, const struct fw_config *cfg, uint8_t *ram,
                 uint64_t ram_len, const uint8_t *image, size_t len, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->who = who, l->image = image, l->len = len, l->ram_len = ram_len;
    l->err = err, l->errlen = errlen;
    if (ram == NULL || image == NULL)
        return fw_load_fail(l, "no RAM or no image");
    char why[160];
    l->nmap = fw_e820(cfg, l->map, FW_E820_MAX, why, sizeof why);
    return l->nmap < 0 ? fw_load_fail(l, "%s", why) : 0;
}

bool fw_load_in_ram(const struct fw_load *l, uint64_t dst, uint64_t len)
{
    if (dst > FOUR_GIB || len > FOUR_GIB - dst || dst + len > l->ram_len)
        return false;
    for (int i = 0; i < l->nmap; i++)
        if (l->map[i].type == E820_RAM && dst >= l->map[i].addr &&
            dst + len <= l->map[i].addr + l->map[i].size)
            return true;
    return false;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

int fw_load_segment(struct fw_load *l, const char *what, uint64_t dst, uint64_t filesz,
                    uint64_t memsz, size_t src)
{
    if (memsz == 0)
        return 0;
    if (l->nseg >= FW_LOAD_MAX_SEGMENTS)
        return fw_load_fail(l, "%s: more than %u loadable segments", what, FW_LOAD_MAX_SEGMENTS);
    if (!fw_load_in_ram(l, dst, memsz))
        return fw_load_fail(l, "%s: 0x%llx + 0x%llx bytes is not in usable RAM", what,
                            (unsigned long long)dst, (unsigned long long)memsz);
    if (overlaps(dst, memsz, FW_BOOTINFO_BASE, FW_BOOTINFO_END - FW_BOOTINFO_BASE))
        return fw_load_fail(l,
                            "%s: 0x%llx + 0x%llx bytes overlaps the boot information at "
                            "0x%x..0x%x",
                            what, (unsigned long long)dst, (unsigned long long)memsz,
                            FW_BOOTINFO_BASE, FW_BOOTINFO_END);
    for (unsigned i = 0; i < l->nseg; i++)
        if (overlaps(dst, memsz, l->seg[i].dst, l->seg[i].memsz))
            return fw_load_fail(l, "%s: overlaps segment %u", what, i);
    l->seg[l->nseg++] = (struct fw_segment){dst, filesz, memsz, src};
    if (l->nseg == 1 || dst < l->image_start)
        l->image_start = dst;
    if (dst + memsz > l->image_end)
        l->image_end = dst + memsz;
    return 0;
}

/* ---- ELF -------------------------------------------------------------------- */

bool fw_is_elf(const uint8_t *image, size_t len)
{
    return len >= ELF_MAGIC_LEN && memcmp(image, ELF_MAGIC, ELF_MAGIC_LEN) == 0;
}

/* the program header table: where, how many, and the entry point */
static int elf_header(struct fw_load *l, bool elf64, uint64_t *phoff, unsigned *phnum, bool *is64)
{
    const uint8_t *im = l->image;
    if (!fw_is_elf(im, l->len) || l->len < sizeof(struct elf32_ehdr))
        return fw_load_fail(l, "not an ELF file");
    *is64 = im[EI_CLASS] == ELF_CLASS64;
    if (*is64 && !elf64)
        return fw_load_fail(l, "ELF64 image: this protocol loads ELF32 only");
    if ((im[EI_CLASS] != ELF_CLASS32 && !*is64) || im[EI_DATA] != ELF_DATA2LSB)
        return fw_load_fail(l, "ELF ident: class %u, data %u (want ELF32%s, little-endian)",
                            im[EI_CLASS], im[EI_DATA], elf64 ? " or ELF64" : "");
    uint16_t type, machine, phentsize;
    size_t phsize;
    if (*is64) {
        struct elf64_ehdr e;
        if (l->len < sizeof e)
            return fw_load_fail(l, "ELF64 header cut off at %zu bytes", l->len);
        memcpy(&e, im, sizeof e);
        type = e.type, machine = e.machine, phentsize = e.phentsize;
        *phoff = e.phoff, *phnum = e.phnum, l->entry = e.entry;
        phsize = sizeof(struct elf64_phdr);
    } else {
        struct elf32_ehdr e;
        memcpy(&e, im, sizeof e);
        type = e.type, machine = e.machine, phentsize = e.phentsize;
        *phoff = e.phoff, *phnum = e.phnum, l->entry = e.entry;
        phsize = sizeof(struct elf32_phdr);
    }
    if (type != ELF_ET_EXEC || machine != (*is64 ? ELF_EM_X86_64 : ELF_EM_386))
        return fw_load_fail(l, "ELF e_type %u, e_machine %u (want EXEC, %s)", type, machine,
                            *is64 ? "x86-64" : "386");
    if (phentsize != phsize || *phnum == 0)
        return fw_load_fail(l, "ELF e_phentsize %u, e_phnum %u", phentsize, *phnum);
    if (*phoff > l->len || (uint64_t)*phnum * phsize > l->len - *phoff)
        return fw_load_fail(l,
                            "ELF program headers at 0x%llx (%u of them) pass the end of the "
                            "file (%zu bytes)",
                            (unsigned long long)*phoff, *phnum, l->len);
    return 0;
}

static struct phdr elf_phdr(const struct fw_load *l, bool is64, uint64_t phoff, unsigned i)
{
    struct phdr p;
    if (is64) {
        struct elf64_phdr h;
        memcpy(&h, l->image + phoff + i * sizeof h, sizeof h);
        p = (struct phdr){h.type, h.offset, h.paddr, h.filesz, h.memsz};
    } else {
        struct elf32_phdr h;
        memcpy(&h, l->image + phoff + i * sizeof h, sizeof h);
        p = (struct phdr){h.type, h.offset, h.paddr, h.filesz, h.memsz};
    }
    return p;
}

static int check_phdr(struct fw_load *l, const char *what, const struct phdr *p)
{
    if (p->type == ELF_PT_LOAD && p->filesz > p->memsz)
        return fw_load_fail(l, "%s: p_filesz 0x%llx > p_memsz 0x%llx", what,
                            (unsigned long long)p->filesz, (unsigned long long)p->memsz);
    if (p->offset > l->len || p->filesz > l->len - p->offset)
        return fw_load_fail(l,
                            "%s: p_offset 0x%llx + p_filesz 0x%llx passes the end of the file "
                            "(%zu bytes)",
                            what, (unsigned long long)p->offset, (unsigned long long)p->filesz,
                            l->len);
    return 0;
}

int fw_load_elf(struct fw_load *l, bool elf64)
{
    uint64_t phoff;
    unsigned phnum;
    bool is64;
    if (elf_header(l, elf64, &phoff, &phnum, &is64) != 0)
        return -1;
    for (unsigned i = 0; i < phnum; i++) {
        struct phdr p = elf_phdr(l, is64, phoff, i);
        if (p.type != ELF_PT_LOAD)
            continue;
        char what[48];
        snprintf(what, sizeof what, "ELF program header %u", i);
        if (check_phdr(l, what, &p) != 0 ||
            fw_load_segment(l, what, p.paddr, p.filesz, p.memsz, (size_t)p.offset) != 0)
            return -1;
    }
    return 0;
}

static uint32_t note_align(uint32_t n)
{
    return (n + ELF_NOTE_ALIGN - 1) & ~(uint32_t)(ELF_NOTE_ALIGN - 1);
}

/* the notes of one PT_NOTE segment (ABI 5.2 "Note Section") */
static const uint8_t *find_note(const uint8_t *p, uint64_t len, const char *name, uint32_t type,
                                uint32_t *descsz)
{
    size_t namelen = strlen(name) + 1;
    while (len >= sizeof(struct elf_note)) {
        struct elf_note n;
        memcpy(&n, p, sizeof n);
        uint64_t name_room = note_align(n.namesz), desc_room = note_align(n.descsz);
        if (n.namesz > UINT32_MAX - ELF_NOTE_ALIGN || n.descsz > UINT32_MAX - ELF_NOTE_ALIGN ||
            sizeof n + name_room + desc_room > len)
            return NULL;
        const uint8_t *nm = p + sizeof n, *desc = nm + name_room;
        if (n.type == type && n.namesz == namelen && memcmp(nm, name, namelen) == 0) {
            *descsz = n.descsz;
            return desc;
        }
        p += sizeof n + name_room + desc_room;
        len -= sizeof n + name_room + desc_room;
    }
    return NULL;
}

const uint8_t *fw_elf_note(struct fw_load *l, const char *name, uint32_t type, uint32_t *descsz)
{
    uint64_t phoff;
    unsigned phnum;
    bool is64;
    char *err = l->err; /* a bad header is the caller's business: fw_load_elf says it */
    l->err = NULL;
    int rc = elf_header(l, true, &phoff, &phnum, &is64);
    l->err = err;
    if (rc != 0)
        return NULL;
    for (unsigned i = 0; i < phnum; i++) {
        struct phdr p = elf_phdr(l, is64, phoff, i);
        if (p.type != ELF_PT_NOTE || p.offset > l->len || p.filesz > l->len - p.offset)
            continue;
        const uint8_t *d = find_note(l->image + p.offset, p.filesz, name, type, descsz);
        if (d != NULL)
            return d;
    }
    return NULL;
}

/* ---- entry, modules, commit ---------------------------------------------------- */

int fw_load_check_entry(struct fw_load *l)
{
    if (l->nseg == 0)
        return fw_load_fail(l, "nothing to load");
    for (unsigned i = 0; i < l->nseg; i++)
        if (l->entry >= l->seg[i].dst && l->entry < l->seg[i].dst + l->seg[i].filesz)
            return 0;
    return fw_load_fail(l, "entry point 0x%llx is outside every loaded segment",
                        (unsigned long long)l->entry);
}

int fw_load_modules(struct fw_load *l, const struct fw_module *mods, unsigned nmods)
{
    if (nmods > FW_MAX_MODULES)
        return fw_load_fail(l, "%u modules, at most %u", nmods, FW_MAX_MODULES);
    uint64_t at = l->image_end > FW_BOOTINFO_END ? l->image_end : FW_BOOTINFO_END;
    at = (at + MODULE_ALIGN - 1) & ~(uint64_t)(MODULE_ALIGN - 1);
    for (unsigned i = 0; i < nmods; i++) {
        if (!fw_load_in_ram(l, at, mods[i].len))
            return fw_load_fail(l,
                                "module %u: %zu bytes at 0x%llx do not fit in usable RAM below "
                                "4 GiB",
                                i, mods[i].len, (unsigned long long)at);
        l->mod_at[i] = at;
        at = (at + mods[i].len + MODULE_ALIGN - 1) & ~(uint64_t)(MODULE_ALIGN - 1);
    }
    return 0;
}

void fw_load_commit(struct fw_load *l, uint8_t *ram, const struct fw_module *mods, unsigned nmods)
{
    for (unsigned i = 0; i < l->nseg; i++) {
        const struct fw_segment *s = &l->seg[i];
        memcpy(ram + s->dst, l->image + s->src, s->filesz);
        memset(ram + s->dst + s->filesz, 0, s->memsz - s->filesz);
    }
    for (unsigned i = 0; i < nmods; i++)
        memcpy(ram + l->mod_at[i], mods[i].data, mods[i].len);
}
