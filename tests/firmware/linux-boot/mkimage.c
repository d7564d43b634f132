/*
 * mkimage.c: build the memory image stub.S copies into place: baremu's
 * firmware tables (fw_build) and a bzImage with its initrd loaded by
 * linux_load(), exactly the guest RAM a baremu machine would start with.
 *
 *   mkimage OUT SMP RAM_MIB processor|device BZIMAGE INITRD CMDLINE
 *
 * Records: the BIOS data area words, the EBDA, the F segment, the boot
 * information (zero page, command line, GDT, page tables), the ACPI region,
 * the initrd and the kernel (last: it may overlap where QEMU put the image).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/fw.h"
#include "firmware/linux.h"

#define MIB           (1ull << 20)
#define BDA_BASE      0x400u
#define BDA_SIZE      0x100u
#define EBDA_BASE     0x9fc00u
#define EBDA_SIZE     0x400u
#define FSEG_BASE     0xf0000u
#define FSEG_SIZE     0x4000u
#define BOOTINFO_USED 0x17000u /* zero page .. the last page directory (linux.h) */
#define MAX_RECORDS   8

struct record {
    uint32_t addr, len;
};

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0)
        return perror(path), NULL;
    long n = ftell(f);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    rewind(f);
    if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n)
        return perror(path), NULL;
    fclose(f);
    *len = (size_t)n;
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: mkimage OUT SMP RAM_MIB processor|device BZIMAGE INITRD CMDLINE\n");
        return 2;
    }
    uint64_t ram_size = strtoull(argv[3], NULL, 0) * MIB;
    struct fw_config cfg = {(unsigned)atoi(argv[2]), NULL, ram_size,
                            strcmp(argv[4], "device") == 0 ? FW_CPU_DEVICE : FW_CPU_PROCESSOR};
    size_t klen, rdlen;
    uint8_t *kernel = slurp(argv[5], &klen), *initrd = slurp(argv[6], &rdlen);
    uint8_t *ram = calloc(1, ram_size);
    if (kernel == NULL || initrd == NULL || ram == NULL)
        return 1;
    struct fw_layout lay;
    struct fw_entry e;
    char err[256];
    if (fw_build(&cfg, ram, ram_size, &lay, err, sizeof err) != 0 ||
        linux_load(&cfg, ram, ram_size, kernel, klen, argv[7], initrd, rdlen, lay.rsdp.addr, &e,
                   err, sizeof err) != 0) {
        fprintf(stderr, "mkimage: %s\n", err);
        return 1;
    }
    uint32_t initrd_at;
    memcpy(&initrd_at, ram + LINUX_ZERO_PAGE + LINUX_RAMDISK_IMAGE, sizeof initrd_at);
    size_t setup =
        ((kernel[LINUX_SETUP_SECTS] ? kernel[LINUX_SETUP_SECTS] : LINUX_DEFAULT_SECTS) + 1) *
        (size_t)LINUX_SECTOR;
    const struct record recs[] = {
        {BDA_BASE, BDA_SIZE},
        {EBDA_BASE, EBDA_SIZE},
        {FSEG_BASE, FSEG_SIZE},
        {FW_BOOTINFO_BASE, BOOTINFO_USED},
        {(uint32_t)lay.acpi_nvs.addr, lay.acpi_nvs.len + lay.acpi_reclaim.len},
        {initrd_at, (uint32_t)rdlen},
        {(uint32_t)e.image_start, (uint32_t)(klen - setup)},
    };
    uint32_t nrec = sizeof recs / sizeof recs[0];
    uint32_t head[6] = {
        nrec, (uint32_t)e.rip, (uint32_t)e.rsi, (uint32_t)e.cr3, (uint32_t)e.gdt_base, e.gdt_limit};
    FILE *out = fopen(argv[1], "wb");
    if (out == NULL)
        return perror(argv[1]), 1;
    fwrite(head, sizeof head[0], 6, out);
    for (uint32_t i = 0; i < nrec; i++) {
        fwrite(&recs[i], sizeof recs[i], 1, out);
        fwrite(ram + recs[i].addr, 1, recs[i].len, out);
    }
    return fclose(out) == 0 ? 0 : 1;
}
