/* kernel/trampoline.h: the AP start-up code's layout, shared with smp.c. */
#ifndef KERNEL_TRAMPOLINE_H
#define KERNEL_TRAMPOLINE_H

#define TRAMP_BASE 0x8000 /* below 1 MiB, page aligned: SIPI vector 0x08 */
#define TRAMP_CS32 0x08
#define TRAMP_CS64 0x10
#define TRAMP_DS 0x18

#ifndef __ASSEMBLER__
#include <stdint.h>

struct tramp_params {
    uint32_t cr0, cr3, cr4, efer;
    uint64_t entry;
};

/* one per AP the BSP starts: ap_start64 searches it by APIC ID */
struct ap_boot_entry {
    uint32_t apic_id;
    uint32_t pad;
    uint64_t stack_top;
};
_Static_assert(sizeof(struct ap_boot_entry) == 16, "ap_start64 indexes by 16");

extern const char trampoline_start[], trampoline_end[], trampoline_params[];
#endif

#endif
