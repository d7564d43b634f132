/* kernel/guest.h: run the guest the command line names, one vCPU per core. */
#ifndef KERNEL_GUEST_H
#define KERNEL_GUEST_H

#include "emu/cmdline.h"
#include "kernel/bootinfo.h"

/* never returns: the machine's end is the kernel's */
__attribute__((noreturn)) void guest_run(const struct baremu_config *cfg, const struct bootinfo *bi);

#endif
