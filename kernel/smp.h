/* kernel/smp.h: the other cores: start them, run code on them, stop them. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdbool.h>

/* this core's GDT, TSS and IDT, and its APIC; the boot CPU calls it once, APs in ap_main */
void smp_init_cpu(unsigned index);
/* bring up every CPU the MADT lists (SDM Vol 3A 9.4.4: INIT-SIPI-SIPI) */
void smp_boot_aps(void);

/* post fn(arg) to core index and return; the core runs it from its idle loop */
void smp_post(unsigned index, void (*fn)(void *), void *arg);

/* the fault path: NMI every other core into a halt */
void smp_stop_others(void);
bool smp_stopping(void);

#endif
