/* boot/boot.h: the boot path's own layout, shared by entry.S and the kernel. */
#ifndef BAREMU_BOOT_H
#define BAREMU_BOOT_H

#include "emu/x86.h"

/* selectors of the boot GDT in entry.S */
#define BOOT_CS32 0x08
#define BOOT_CS64 0x10
#define BOOT_DS 0x18

/* hvm_start_info.magic (xen/arch-x86/hvm/start_info.h); entry.S passes it to
 * kmain as the magic of the PVH path */
#define BOOT_PVH_MAGIC 0x336ec578

#define BOOT_STACK_SIZE (64 * 1024)

#endif
