/*
 * a20: the A20 gate. While it is off, physical address bit 20 is forced to
 * 0 (the A20M# pin, which emulates the 8086's wraparound at 1 MiB: SDM
 * Vol 3A, "IA-32 Architecture Compatibility"), so 0x300040 is 0x200040. It is moved
 * by port 0x92 bit 1 (PS/2 "fast A20") and by the i8042's commands 0xDD
 * (off) and 0xDF (on) and its output port (command 0xD1, bit 1).
 *
 * The test itself lives at 1 MiB, where bit 20 is set, so everything that
 * runs while A20 is off is a routine copied to 0x7000 that touches neither
 * the stack nor the descriptor tables until A20 is back on.
 */
#include "rt/guest.h"

#define LOW_CODE  0x7000u
#define LOW_MAX   0x400u
#define RESULTS   0x7F00u /* the routine's findings, 8 dwords */
#define LOW_ADDR  0x200040u
#define HIGH_ADDR (LOW_ADDR | 0x100000u)
#define VAL_LOW   0x10101010u
#define VAL_HIGH  0x20202020u
#define VAL_WRAP  0x30303030u
#define NRESULTS  6

extern char a20_probe[], a20_probe_end[];

/*
 * results: [0] 0x300040 with port 0x92 bit 1 clear; [1] it after writing
 * VAL_WRAP to 0x300044 and setting bit 1 again, [2] 0x300040 with the gate on;
 * [3] after i8042 0xDD; [4] after 0xDF; [5] after 0xD1 with bit 1 clear.
 * The i8042 waits poll status bit 1 (input buffer full), bounded.
 */
__asm__(".section .rodata\n"
        ".globl a20_probe, a20_probe_end\n"
        ".code32\n"
        "a20_probe:\n\t"
        "push %ebx\n\t"
        "in $0x92, %al\n\tand $0xFD, %al\n\tout %al, $0x92\n\t"
        "mov 0x300040, %ebx\n\tmov %ebx, 0x7F00\n\t"
        "movl $0x30303030, 0x300044\n\t"
        "in $0x92, %al\n\tor $0x02, %al\n\tout %al, $0x92\n\t"
        "mov 0x200044, %ebx\n\tmov %ebx, 0x7F04\n\t"
        "mov 0x300040, %ebx\n\tmov %ebx, 0x7F08\n\t"
        "call 9f\n\tmov $0xDD, %al\n\tout %al, $0x64\n\tcall 9f\n\t"
        "mov 0x300040, %ebx\n\tmov %ebx, 0x7F0C\n\t"
        "mov $0xDF, %al\n\tout %al, $0x64\n\tcall 9f\n\t"
        "mov 0x300040, %ebx\n\tmov %ebx, 0x7F10\n\t"
        "mov $0xD1, %al\n\tout %al, $0x64\n\tcall 9f\n\t"
        "mov $0xDD, %al\n\tout %al, $0x60\n\tcall 9f\n\t" /* output port: reset high, A20 low */
        "mov 0x300040, %ebx\n\tmov %ebx, 0x7F14\n\t"
        "mov $0xDF, %al\n\tout %al, $0x64\n\tcall 9f\n\t"
        "pop %ebx\n\t"
        "ret\n"
        /* wait for the i8042's input buffer to drain: the stack is low here */
        "9:\n\tmov $100000, %ecx\n"
        "8:\n\tin $0x64, %al\n\ttest $2, %al\n\tjz 7f\n\tloop 8b\n"
        "7:\n\tret\n"
        "a20_probe_end:\n"
        ".text\n");

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    volatile uint32_t *low = phys_ptr(LOW_ADDR), *high = phys_ptr(HIGH_ADDR);
    volatile uint32_t *res = phys_ptr(RESULTS);
    static uint32_t esp; /* not on the stack: the asm below moves it */
    (void)magic;
    (void)mbi;

    tap_ok(a20_probe_end - a20_probe <= (int)LOW_MAX, "the probe fits below 0x%x",
           LOW_CODE + LOW_MAX);
    memcpy(phys_ptr(LOW_CODE), a20_probe, (size_t)(a20_probe_end - a20_probe));
    *low = VAL_LOW;
    *high = VAL_HIGH;
    low[1] = 0;
    high[1] = 0;
    for (unsigned k = 0; k < NRESULTS; k++)
        res[k] = 0xDEADBEEF;
    tap_ok(*low == VAL_LOW && *high == VAL_HIGH, "A20 on at boot: 0x%x and 0x%x are apart",
           LOW_ADDR, HIGH_ADDR);

    /* the probe calls its helper: give it a stack below 1 MiB */
    __asm__ volatile("mov %%esp, %0\n\t"
                     "mov %1, %%esp\n\t"
                     "call *%2\n\t"
                     "mov %0, %%esp"
                     : "=&m"(esp)
                     : "i"(LOW_CODE + LOW_MAX + 0x100), "r"(LOW_CODE)
                     : "eax", "ecx", "memory");

    tap_ok(res[0] == VAL_LOW, "port 0x92 bit 1 clear: 0x%x reads 0x%x's value (0x%x)", HIGH_ADDR,
           LOW_ADDR, res[0]);
    tap_ok(res[1] == VAL_WRAP && high[1] == 0, "a write to 0x%x with A20 off lands at 0x%x",
           HIGH_ADDR + 4, LOW_ADDR + 4);
    tap_ok(res[2] == VAL_HIGH, "port 0x92 bit 1 set: apart again (0x%x)", res[2]);
    tap_ok(res[3] == VAL_LOW, "i8042 command 0xDD: A20 off (0x%x)", res[3]);
    tap_ok(res[4] == VAL_HIGH, "i8042 command 0xDF: A20 on (0x%x)", res[4]);
    tap_ok(res[5] == VAL_LOW, "i8042 output port (0xD1) with bit 1 clear: A20 off (0x%x)", res[5]);
    tap_ok(*high == VAL_HIGH && *low == VAL_LOW, "A20 on at the end");
    tap_done();
}
