/*
 * task16: a task switch to a 16-bit TSS and back (SDM Vol 3A 7.3, 7.6,
 * figure 7-11). From the runtime's 32-bit task, a far CALL to a 16-bit TSS
 * descriptor: the new task starts at its IP with its registers, NT set and
 * its back link naming the caller; it IRETs, which switches back, saving its
 * IP as a word and freeing its descriptor. Where the SDM says nothing
 * (upper register halves, FS/GS), QEMU and Bochs agree: the general
 * registers' upper halves become 0xFFFF, FS and GS null.
 */
#include "rt/guest.h"

#define LOW_CODE    0x7000u
#define LOW_STACK   0x7800u
#define RESULTS     0x7F00u
#define SLOT_TSS16  6
#define SEL_TSS16   (SLOT_TSS16 << 3)
#define ACC_TSS16   0x81 /* present, DPL 0, available 16-bit TSS */
#define TYPE_MASK   0x0F
#define TSS16_AVAIL 0x1
#define TSS16_BUSY  0x3
#define TSS32_BUSY  0xB
#define TSS16_LIMIT 0x2B
#define EFL_NT      0x4000u

struct tss16 {
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags;
    uint16_t ax, cx, dx, bx, sp, bp, si, di, es, cs, ss, ds, ldt;
} __attribute__((packed));
_Static_assert(sizeof(struct tss16) == 44, "16-bit TSS layout");

static struct tss16 t16 __attribute__((aligned(16)));
extern char task16_code[], task16_end[];

/* the 16-bit task's code (a flat 32-bit segment, at an IP below 64 KiB):
 * note what it finds, then IRET back through its link */
__asm__(".section .rodata\n"
        ".code32\n"
        "task16_code:\n\t"
        "movzwl %sp, %esp\n\t"
        "mov %eax, 0x7F00\n\t"
        "mov %ebx, 0x7F04\n\t"
        "movl $0, 0x7F08\n\tmov %fs, 0x7F08\n\t"
        "pushfl\n\tpopl 0x7F0C\n\t"
        "mov %esp, 0x7F10\n\t"
        "iret\n"
        "task16_end:\n"
        ".text\n");

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    volatile uint32_t *res = phys_ptr(RESULTS);
    uint32_t eax_back, ebx_back;
    uint16_t tr;
    (void)magic;
    (void)mbi;

    memcpy(phys_ptr(LOW_CODE), task16_code, (size_t)(task16_end - task16_code));
    t16 = (struct tss16){.ip = LOW_CODE,
                         .flags = 0x0002,
                         .ax = 0x1234,
                         .bx = 0x5678,
                         .sp = LOW_STACK,
                         .es = SEL_KDATA,
                         .cs = SEL_KCODE,
                         .ss = SEL_KDATA,
                         .ds = SEL_KDATA};
    gdt_set(SLOT_TSS16, gdt_segment((uint32_t)(uintptr_t)&t16, TSS16_LIMIT, ACC_TSS16, 0));
    for (unsigned k = 0; k < 5; k++)
        res[k] = 0xDEADBEEF;

    __asm__ volatile("mov %%gs, %%ax\n\tmov %%ax, %%fs\n\t" /* FS non-null before */
                     "mov $0xAAAAAAAA, %%eax\n\tmov $0xBBBBBBBB, %%ebx\n\t"
                     "lcall %2, $0\n\t"
                     : "=a"(eax_back), "=b"(ebx_back)
                     : "i"(SEL_TSS16)
                     : "memory");
    __asm__ volatile("str %0" : "=r"(tr));

    tap_ok((res[0] & 0xFFFF) == 0x1234 && (res[1] & 0xFFFF) == 0x5678,
           "the 16-bit task's AX, BX from its TSS (EAX 0x%x EBX 0x%x)", res[0], res[1]);
    tap_ok(res[2] == 0, "FS null in the 16-bit task (0x%x)", res[2]);
    tap_ok(res[3] & EFL_NT, "NT set in the called task (EFLAGS 0x%x)", res[3]);
    tap_ok(res[4] == LOW_STACK, "its SP from the TSS (ESP 0x%x)", res[4]);
    tap_ok(t16.link == SEL_TSS, "its back link is the caller's TSS (0x%x)", t16.link);
    tap_ok(eax_back == 0xAAAAAAAA && ebx_back == 0xBBBBBBBB && tr == SEL_TSS,
           "IRET back: the caller's registers and TR 0x%x", tr);
    tap_ok(t16.ip == LOW_CODE + (task16_end - task16_code),
           "the 16-bit task's IP saved as a word after its IRET (0x%x)", t16.ip);
    tap_ok(((rt_gdt[SLOT_TSS16] >> 40) & TYPE_MASK) == TSS16_AVAIL &&
               ((rt_gdt[SEL_TSS >> 3] >> 40) & TYPE_MASK) == TSS32_BUSY,
           "IRET freed the 16-bit TSS; the caller's stays busy");
    tap_done();
}
