/*
 * trampoline: real mode -> protected mode -> long mode, as Linux's AP
 * trampoline does it (arch/x86/realmode/rm/trampoline_64.S), then 64-bit
 * code, SYSCALL/SYSRET through ring 3, and back to 32-bit protected mode.
 *
 *  1. from the runtime's 32-bit code, a far jump to a 16-bit code segment
 *     in low memory, 16-bit data segments, CR0.PE cleared, a far jump to a
 *     real-mode CS (SDM Vol 3A 9.9.2);
 *  2. real mode: LGDTL, CR0.PE, a far jump to 32-bit code (9.9.1);
 *  3. CR4.PAE, CR3, EFER.LME, CR0.PG, a far jump to a 64-bit segment
 *     (9.8.5: IA-32e mode is active once paging is on with LME set);
 *  4. 64-bit code: 64-bit arithmetic, EFER.LMA, a RIP-relative load; SYSRET
 *     to 64-bit ring 3, which comes back with SYSCALL (Vol 2B SYSCALL and
 *     SYSRET: CS/SS from STAR, RCX/R11, RFLAGS masked by FMASK);
 *  5. LRETQ to a 32-bit compatibility-mode segment, CR0.PG off (which
 *     leaves long mode: 9.8.5.4), EFER.LME off, and back to C.
 */
#include "rt/guest.h"

#define TRAMP_BASE 0x7000u /* below 64 KiB: a 16-bit segment with base 0 reaches it */
#define TRAMP_MAX  0x800u

#define MSR_EFER  0xC0000080u
#define MSR_STAR  0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_FMASK 0xC0000084u
#define EFER_SCE  (1u << 0)
#define EFER_LME  (1u << 8)
#define EFER_LMA  (1u << 10)
#define CR0_PE    1u
#define CR0_PG    0x80000000u
#define CR4_PAE   (1u << 5)
#define EFL_DF    0x400u
#define EFL_IF    0x200u

/* GDT slots of this test (the runtime's are 1-5) */
#define SEL_KCODE64 0x30 /* 6: 64-bit code, DPL 0; SYSCALL's CS (STAR[47:32]) */
#define SEL_KDATA64 0x38 /* 7: data, DPL 0; SYSCALL's SS */
#define SEL_UCODE32 0x40 /* 8: 32-bit code, DPL 3 (STAR[63:48], SYSRET's base) */
#define SEL_UDATA64 0x48 /* 9: data, DPL 3: SYSRET's SS (base + 8) */
#define SEL_UCODE64 0x50 /* 10: 64-bit code, DPL 3: SYSRET's CS (base + 16) */
#define SEL_CODE16  0x58 /* 11: 16-bit code, base 0, 64 KiB */
#define SEL_DATA16  0x60 /* 12: 16-bit data, base 0, 64 KiB */

#define PTE_P  0x1ull
#define PTE_W  0x2ull
#define PTE_U  0x4ull
#define PTE_PS 0x80ull
#define PAGE   4096

uint64_t pml4[512] __attribute__((aligned(PAGE)));
static uint64_t pdpt[512] __attribute__((aligned(PAGE)));
static uint64_t pd[512] __attribute__((aligned(PAGE)));

/* what each stage saw; the asm writes them */
volatile uint32_t saved_esp, pm_cr0, lm_efer_lo, lm_cs, user_cs, back_efer, back_cr0;
volatile uint64_t lm_product, lm_riprel, sc_rcx, sc_r11, sc_rdi, sc_cs, sc_ss, sc_rflags,
    saved_rsp64;
volatile uint64_t lm_magic = 0x0123456789ABCDEFull, lm_1g;
volatile uint32_t have_1g;
extern char tramp[], tramp_end[], tramp_gdtr[], rm_cr0[], rm_cs[], sys_ret_point[];
uint32_t tramp_run(void);

__asm__(
    /* step 1 (32-bit, CPL 0): save the C context, into the 16-bit segment */
    ".text\n"
    ".globl tramp_run\n"
    "tramp_run:\n\t"
    "push %ebp\n\tpush %ebx\n\tpush %esi\n\tpush %edi\n\t"
    "mov %esp, saved_esp\n\t"
    "ljmp $0x58, $(0x7000 + tramp16 - tramp)\n"

    /* the blob smp-style copied to TRAMP_BASE: 16-bit code */
    ".section .rodata\n"
    ".globl tramp, tramp_end, tramp_gdtr, rm_cr0, rm_cs\n"
    ".code16\n"
    "tramp:\n"
    "tramp16:\n\t" /* 16-bit protected mode */
    "mov $0x60, %ax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %ss\n\t"
    "mov %ax, %fs\n\tmov %ax, %gs\n\t"
    "mov %cr0, %eax\n\tand $~1, %eax\n\tmov %eax, %cr0\n\t"
    "ljmp $0x0700, $(real - tramp)\n"
    "real:\n\t" /* real mode, CS = 0x700 */
    "xor %ax, %ax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %ss\n\t"
    "mov $(0x7000 + 0x800), %sp\n\t"
    "mov %cr0, %eax\n\tmov %eax, (0x7000 + rm_cr0 - tramp)\n\t"
    "mov %cs, %ax\n\tmov %ax, (0x7000 + rm_cs - tramp)\n\t"
    /* step 2: as Linux's trampoline: LGDTL, PE, a far jump */
    "lgdtl (0x7000 + tramp_gdtr - tramp)\n\t"
    "mov %cr0, %eax\n\tor $1, %eax\n\tmov %eax, %cr0\n\t"
    "ljmpl $0x08, $pm32\n"
    ".balign 4\n"
    "tramp_gdtr:\n\t"
    ".word 0\n\t.long 0\n"          /* filled in by C */
    "rm_cr0:\n\t.long 0xFFFFFFFF\n" /* real mode writes these in the copy */
    "rm_cs:\n\t.word 0xFFFF\n"
    "tramp_end:\n"

    /* step 3 (32-bit protected mode, paging off) */
    ".text\n"
    ".code32\n"
    "pm32:\n\t"
    "mov $0x10, %ax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %ss\n\t"
    "mov %ax, %fs\n\tmov %ax, %gs\n\t"
    "mov saved_esp, %esp\n\t"
    "mov %cr0, %eax\n\tmov %eax, pm_cr0\n\t"
    "mov %cr4, %eax\n\tor $0x20, %eax\n\tmov %eax, %cr4\n\t"
    "mov $pml4, %eax\n\tmov %eax, %cr3\n\t"
    "mov $0xC0000080, %ecx\n\trdmsr\n\tor $0x101, %eax\n\twrmsr\n\t"
    "mov %cr0, %eax\n\tor $0x80000000, %eax\n\tmov %eax, %cr0\n\t"
    "ljmp $0x30, $lm64\n"

    /* step 4: 64-bit mode */
    ".code64\n"
    "lm64:\n\t"
    "mov %cs, %eax\n\tmov %eax, lm_cs(%rip)\n\t"
    "mov $0xC0000080, %ecx\n\trdmsr\n\tmov %eax, lm_efer_lo(%rip)\n\t"
    "movabs $0x00000001FFFFFFFF, %rax\n\tmov $0x100000001, %rbx\n\t"
    "imul %rbx, %rax\n\tmov %rax, lm_product(%rip)\n\t" /* wraps mod 2^64 */
    "mov lm_magic(%rip), %rax\n\tmov %rax, lm_riprel(%rip)\n\t"
    /* through the 1 GiB page at 1 GiB, when there is one */
    "cmpl $0, have_1g(%rip)\n\tje 2f\n\t"
    "mov $lm_magic, %eax\n\tadd $0x40000000, %eax\n\tmov (%rax), %rax\n\t"
    "mov %rax, lm_1g(%rip)\n"
    "2:\n\t"
    /* STAR: SYSCALL CS 0x30 (SS 0x38), SYSRET base 0x40 (SS 0x4b, CS 0x53) */
    "mov $0xC0000081, %ecx\n\txor %eax, %eax\n\tmov $0x00400030, %edx\n\twrmsr\n\t"
    "mov $0xC0000082, %ecx\n\tmov $sys_entry64, %eax\n\txor %edx, %edx\n\twrmsr\n\t"
    "mov $0xC0000084, %ecx\n\tmov $0x600, %eax\n\txor %edx, %edx\n\twrmsr\n\t" /* IF, DF */
    "mov %rsp, saved_rsp64(%rip)\n\t"
    "mov $ring3_stack_top, %esp\n\t"
    "mov $user64, %ecx\n\tmov $0x402, %r11d\n\t" /* ring 3 with DF set, IF clear */
    "sysretq\n"
    "user64:\n\t" /* CPL 3, 64-bit */
    "mov %cs, %eax\n\tmov %eax, user_cs(%rip)\n\t"
    "mov $0x5A5A5A5A5A, %rdi\n\t"
    "syscall\n"
    "sys_ret_point:\n\t"
    "ud2\n"
    "sys_entry64:\n\t" /* CPL 0, on ring 3's RSP */
    "mov %rcx, sc_rcx(%rip)\n\tmov %r11, sc_r11(%rip)\n\tmov %rdi, sc_rdi(%rip)\n\t"
    "mov %cs, %eax\n\tmov %rax, sc_cs(%rip)\n\tmov %ss, %eax\n\tmov %rax, sc_ss(%rip)\n\t"
    "mov saved_rsp64(%rip), %rsp\n\t"
    "pushfq\n\tpop %rax\n\tmov %rax, sc_rflags(%rip)\n\t"
    /* step 5: to compatibility mode, then out of long mode */
    "pushq $0x08\n\tmov $compat32, %eax\n\tpush %rax\n\tlretq\n"
    ".code32\n"
    "compat32:\n\t"
    "mov $0x10, %ax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %ss\n\t"
    "mov %cr0, %eax\n\tand $0x7FFFFFFF, %eax\n\tmov %eax, %cr0\n\t"
    "mov $0xC0000080, %ecx\n\trdmsr\n\tand $~0x101, %eax\n\twrmsr\n\t"
    "mov %cr4, %eax\n\tand $~0x20, %eax\n\tmov %eax, %cr4\n\t"
    "mov $0xC0000080, %ecx\n\trdmsr\n\tmov %eax, back_efer\n\t"
    "mov %cr0, %eax\n\tmov %eax, back_cr0\n\t"
    "mov saved_esp, %esp\n\t"
    "mov $0x10, %ax\n\tmov %ax, %fs\n\tmov %ax, %gs\n\t"
    "pop %edi\n\tpop %esi\n\tpop %ebx\n\tpop %ebp\n\t"
    "mov $1, %eax\n\t"
    "ret\n");

/* where a symbol of the blob is in its copy at TRAMP_BASE */
static void *low(const char *sym)
{
    return phys_ptr(TRAMP_BASE + (uintptr_t)(sym - tramp));
}

static void setup(void)
{
    static const struct {
        unsigned slot;
        uint32_t limit;
        uint8_t access, flags;
    } segs[] = {
        {6, 0xFFFFF, 0x9A, 0xA},  /* 64-bit code: G, L */
        {7, 0xFFFFF, 0x92, 0xC},  /* data */
        {8, 0xFFFFF, 0xFA, 0xC},  /* 32-bit code, DPL 3 */
        {9, 0xFFFFF, 0xF2, 0xC},  /* data, DPL 3 */
        {10, 0xFFFFF, 0xFA, 0xA}, /* 64-bit code, DPL 3 */
        {11, 0xFFFF, 0x9A, 0x0},  /* 16-bit code, byte granular */
        {12, 0xFFFF, 0x92, 0x0},  /* 16-bit data */
    };
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) gdtr;

    for (unsigned k = 0; k < sizeof(segs) / sizeof(segs[0]); k++)
        gdt_set(segs[k].slot, gdt_segment(0, segs[k].limit, segs[k].access, segs[k].flags));
    /* identity-map the first GiB with 2 MiB user pages (ring 3 runs there too) */
    for (unsigned k = 0; k < 512; k++)
        pd[k] = (uint64_t)k << 21 | PTE_P | PTE_W | PTE_U | PTE_PS;
    pdpt[0] = (uint32_t)(uintptr_t)pd | PTE_P | PTE_W | PTE_U;
    /* a 1 GiB page (4.5, CPUID 80000001H:EDX[26]) at 1 GiB onto physical 0 */
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
    have_1g = (d >> 26) & 1;
    if (have_1g)
        pdpt[1] = 0 | PTE_P | PTE_W | PTE_PS;
    pml4[0] = (uint32_t)(uintptr_t)pdpt | PTE_P | PTE_W | PTE_U;

    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    memcpy(phys_ptr(TRAMP_BASE), tramp, (size_t)(tramp_end - tramp));
    memcpy(low(tramp_gdtr), &gdtr, 6);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;

    tap_ok(tramp_end - tramp <= (int)TRAMP_MAX, "the real-mode blob fits at 0x%x (%d bytes)",
           TRAMP_BASE, (int)(tramp_end - tramp));
    setup();
    uint32_t r = tramp_run();
    tap_ok(r == 1 && cpu_cpl() == 0, "back in the test's 32-bit code at CPL 0");
    uint32_t cr0_real = *(volatile uint32_t *)low(rm_cr0);
    uint16_t cs_real = *(volatile uint16_t *)low(rm_cs);
    tap_ok(!(cr0_real & CR0_PE) && cs_real == TRAMP_BASE >> 4,
           "real mode reached: CR0.PE clear, CS 0x%x", cs_real);
    tap_ok((pm_cr0 & CR0_PE) && !(pm_cr0 & CR0_PG), "LGDTL + CR0.PE + far jump: protected mode");
    tap_ok((lm_efer_lo & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA) &&
               (lm_cs & 0xFFFF) == SEL_KCODE64,
           "PAE + EFER.LME + CR0.PG + far jump: 64-bit mode, EFER.LMA set (EFER 0x%x)", lm_efer_lo);
    tap_ok(lm_product ==
               0x00000000FFFFFFFFull, /* 0x1FFFFFFFF * 0x100000001 = 0x2_00000000_FFFFFFFF */
           "64-bit IMUL wraps modulo 2^64 (0x%llx)", (unsigned long long)lm_product);
    tap_ok(lm_riprel == lm_magic, "a RIP-relative load and store");
    if (have_1g)
        tap_ok(lm_1g == lm_magic, "a 1 GiB page maps 1 GiB onto physical 0");
    else
        tap_skip("the CPU has no 1 GiB pages (CPUID 80000001H:EDX[26])",
                 "a 1 GiB page maps 1 GiB onto physical 0");
    tap_ok((user_cs & 0xFFFF) == (SEL_UCODE64 | 3), "SYSRET to 64-bit ring 3: CS 0x%x",
           user_cs & 0xFFFF);
    tap_ok(sc_cs == SEL_KCODE64 && sc_ss == SEL_KDATA64, "SYSCALL: CS 0x%llx, SS 0x%llx from STAR",
           (unsigned long long)sc_cs, (unsigned long long)sc_ss);
    tap_ok(sc_rcx == (uintptr_t)sys_ret_point && (sc_r11 & 0xFFF) == 0x402 &&
               sc_rdi == 0x5A5A5A5A5A,
           "SYSCALL: RCX = the next RIP, R11 = ring 3's RFLAGS (0x%llx), RDI kept",
           (unsigned long long)sc_r11);
    tap_ok(!(sc_rflags & (EFL_DF | EFL_IF)), "SYSCALL masks RFLAGS with FMASK (DF cleared: 0x%llx)",
           (unsigned long long)sc_rflags);
    tap_ok(!(back_efer & (EFER_LME | EFER_LMA)) && !(back_cr0 & CR0_PG) && (back_cr0 & CR0_PE),
           "CR0.PG off from compatibility mode leaves long mode (EFER 0x%x, CR0 0x%x)", back_efer,
           back_cr0);
    tap_done();
}
