/* kernel/gdt.h: each core's own GDT and TSS. */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CS 0x10 /* the same selectors as the boot GDT (boot/boot.h) */
#define GDT_KERNEL_DS 0x18
#define GDT_TSS 0x20

#define IST_NMI 1 /* IST slots (SDM Vol 3A 6.14.5) */
#define IST_DF 2
#define IST_MC 3

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS (SDM Vol 3A 8.7)");

struct cpu_tables {
    uint64_t gdt[6]; /* null, cs32, cs64, ds, tss (two slots) */
    struct tss64 tss;
};

/* build and load this core's GDT and TSS; ist_stacks[i] is the top of IST stack i+1 */
void gdt_init_cpu(struct cpu_tables *t, const uint64_t ist_tops[3]);

#endif
