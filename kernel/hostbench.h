/* kernel/hostbench.h: -hostbench, the host's own timing figures. */
#ifndef KERNEL_HOSTBENCH_H
#define KERNEL_HOSTBENCH_H
void hostbench_run(void);
#endif
