/*
 * bench/decoder.c: our decoder against Zydis 4 (Debian libzydis-dev), the
 * measurement issue 4 asks for before choosing (docs/cpu.md).
 *
 * Two corpora:
 *  - the differential oracle's instruction streams (64-bit), whose lengths
 *    and #UD our decoder is known to share with silicon (tests/diff/);
 *  - the .text of a real 64-bit binary (default: libc), swept linearly by
 *    Zydis, which covers the whole ISA, most of it not implemented here.
 * For each it reports how often the two decoders agree on the length, how
 * often ours says #UD where Zydis decodes, and the decode time per
 * instruction when every decode is a miss (no decoded-instruction cache).
 *
 *   build/bench/decoder [ELF-FILE]
 */
#define _GNU_SOURCE
#include <Zydis/Zydis.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/cpu/cpu.h"
#include "tests/diff/diff.h"

#define ORACLE_CASES 20000
#define REPEAT       5

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* a corpus: bytes, and the offsets where instructions start */
struct corpus {
    uint8_t *bytes;
    size_t size;
    uint32_t *starts;
    size_t n;
};

static void add_start(struct corpus *cp, uint32_t off)
{
    if (!(cp->n & (cp->n + 1)) || cp->n == 0)
        cp->starts = realloc(cp->starts, (cp->n * 2 + 2) * sizeof *cp->starts);
    cp->starts[cp->n++] = off;
}

static uint8_t *page_buffer(size_t size)
{
    size_t padded = (size + 2 * 4096) & ~(size_t)4095;
    uint8_t *p = aligned_alloc(4096, padded);
    memset(p, 0x90, padded);
    return p;
}

static void oracle_corpus(struct corpus *cp)
{
    static struct diff_case dc;
    uint64_t rng = 42;
    cp->bytes = page_buffer((size_t)ORACLE_CASES * DIFF_CODE_MAX);
    size_t at = 0;
    for (unsigned k = 0; k < ORACLE_CASES; k++) {
        diff_gen_case(&dc, &rng, false, k);
        memcpy(cp->bytes + at, dc.code, dc.code_len);
        for (unsigned j = 0; j < dc.ninsn; j++)
            add_start(cp, (uint32_t)(at + dc.start[j]));
        at += dc.code_len;
    }
    cp->size = at;
}

static int elf_text(struct corpus *cp, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *img = malloc((size_t)len);
    if (fread(img, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        return -1;
    }
    fclose(f);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
    Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
    const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;
    for (unsigned k = 0; k < eh->e_shnum; k++) {
        if (strcmp(names + sh[k].sh_name, ".text"))
            continue;
        cp->size = sh[k].sh_size;
        cp->bytes = page_buffer(cp->size);
        memcpy(cp->bytes, img + sh[k].sh_offset, cp->size);
        free(img);
        return 0;
    }
    free(img);
    return -1;
}

/* our decoder, on a vCPU whose RAM is the corpus */
static struct cpu_bus bus;
static struct cpu cpu;

static void ours_init(struct corpus *cp)
{
    bus.ram = cp->bytes;
    bus.ram_size = (cp->size + 4096) & ~(uint64_t)4095;
    cpu_init(&cpu, &bus, 0);
    cpu_set_user_mode(&cpu, false);
    cpu.feat.tzcnt = true;
}

static unsigned ours_len(uint32_t off)
{
    cpu.rip = off;
    return cpu_decode_length(&cpu);
}

static void compare(const char *title, struct corpus *cp, const ZydisDecoder *zd)
{
    size_t agree = 0, ours_ud = 0, zydis_bad = 0, differ = 0;
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    ours_init(cp);
    for (size_t k = 0; k < cp->n; k++) {
        uint32_t off = cp->starts[k];
        unsigned ol = ours_len(off);
        ZyanStatus s = ZydisDecoderDecodeFull(zd, cp->bytes + off, cp->size - off, &zi, zo);
        if (!ZYAN_SUCCESS(s)) {
            zydis_bad++;
            if (!ol)
                agree++;
        } else if (!ol) {
            ours_ud++;
        } else if (ol == zi.length) {
            agree++;
        } else {
            differ++;
        }
    }
    printf("%s: %zu instructions; same length (or both invalid) %zu; ours #UD where Zydis "
           "decodes %zu; Zydis invalid %zu; lengths differ %zu\n",
           title, cp->n, agree, ours_ud, zydis_bad, differ);

    double t0 = now();
    volatile unsigned sink = 0;
    for (int r = 0; r < REPEAT; r++)
        for (size_t k = 0; k < cp->n; k++)
            sink += ours_len(cp->starts[k]);
    double t1 = now();
    for (int r = 0; r < REPEAT; r++)
        for (size_t k = 0; k < cp->n; k++) {
            uint32_t off = cp->starts[k];
            if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(zd, cp->bytes + off, cp->size - off, &zi, zo)))
                sink += zi.length;
        }
    double t2 = now();
    ZydisDecoderContext ctx;
    for (int r = 0; r < REPEAT; r++)
        for (size_t k = 0; k < cp->n; k++) {
            uint32_t off = cp->starts[k];
            if (ZYAN_SUCCESS(
                    ZydisDecoderDecodeInstruction(zd, &ctx, cp->bytes + off, cp->size - off, &zi)))
                sink += zi.length;
        }
    double t3 = now();
    double n = (double)cp->n * REPEAT;
    printf("%s: ns per decode: ours %.1f, Zydis full %.1f, Zydis without operands %.1f\n", title,
           (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9, (t3 - t2) / n * 1e9);
}

int main(int argc, char **argv)
{
    const char *elf = argc > 1 ? argv[1] : "/usr/lib/x86_64-linux-gnu/libc.so.6";
    ZydisDecoder zd;
    ZydisDecoderInit(&zd, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);

    struct corpus oracle = {0};
    oracle_corpus(&oracle);
    compare("oracle streams", &oracle, &zd);

    struct corpus text = {0};
    if (elf_text(&text, elf)) {
        fprintf(stderr, "decoder: no .text in %s\n", elf);
        return 1;
    }
    /* a linear sweep by Zydis gives the instruction starts */
    ZydisDecodedInstruction zi;
    ZydisDecoderContext ctx;
    for (size_t off = 0; off < text.size;) {
        add_start(&text, (uint32_t)off);
        ZyanStatus s =
            ZydisDecoderDecodeInstruction(&zd, &ctx, text.bytes + off, text.size - off, &zi);
        off += ZYAN_SUCCESS(s) ? zi.length : 1;
    }
    compare(elf, &text, &zd);
    return 0;
}
