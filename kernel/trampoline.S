/*
 * kernel/trampoline.S: where an application processor starts.
 *
 * SDM Vol 3A 9.4 (MP initialization): a STARTUP IPI with vector V starts the
 * AP in real mode at V:0000, i.e. physical V * 0x1000. smp.c copies the
 * 16/32-bit part below (trampoline_start..trampoline_end) to TRAMP_BASE and
 * fills in its parameter block. The AP goes real mode -> protected mode ->
 * long mode with the BSP's CR0/CR3/CR4/EFER, then jumps to ap_start64 in the
 * kernel image, which finds its own stack by its APIC ID.
 */
#include "kernel/trampoline.h"

#define T(x) (TRAMP_BASE + ((x) - trampoline_start))

        .section .rodata
        .balign 16
        .code16
        .global trampoline_start
trampoline_start:
        cli
        cld
        mov %cs, %ax
        mov %ax, %ds
        lgdtl tramp_gdtr - trampoline_start
        mov %cr0, %eax
        or $1, %eax                     /* CR0.PE */
        mov %eax, %cr0
        ljmpl $TRAMP_CS32, $T(tramp_pm32)

        .code32
tramp_pm32:
        mov $TRAMP_DS, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        mov T(tramp_cr4), %eax
        mov %eax, %cr4
        mov T(tramp_cr3), %eax
        mov %eax, %cr3
        mov $0xc0000080, %ecx           /* EFER */
        mov T(tramp_efer), %eax
        xor %edx, %edx
        wrmsr
        mov T(tramp_cr0), %eax          /* PG on: long mode is active */
        mov %eax, %cr0
        ljmp $TRAMP_CS64, $T(tramp_lm64)

        .code64
tramp_lm64:
        mov T(tramp_entry), %rax
        jmp *%rax

        .balign 8
tramp_gdt:
        .quad 0
        .quad 0x00cf9a000000ffff        /* TRAMP_CS32 */
        .quad 0x00af9a000000ffff        /* TRAMP_CS64 */
        .quad 0x00cf92000000ffff        /* TRAMP_DS */
tramp_gdt_end:
tramp_gdtr:
        .short tramp_gdt_end - tramp_gdt - 1
        .long T(tramp_gdt)

        /* the parameter block: struct tramp_params in trampoline.h */
        .balign 8
        .global trampoline_params
trampoline_params:
tramp_cr0:      .long 0
tramp_cr3:      .long 0
tramp_cr4:      .long 0
tramp_efer:     .long 0
tramp_entry:    .quad 0
        .global trampoline_end
trampoline_end:

/*
 * ap_start64: in the kernel image, long mode, no stack yet. Find this CPU in
 * ap_boot_table by its APIC ID (CPUID 0BH:EDX, the x2APIC ID, where leaf 0BH
 * exists; CPUID 01H:EBX[31:24] otherwise), take its stack, call ap_main(index).
 */
        .section .text
        .global ap_start64
ap_start64:
        xor %eax, %eax
        cpuid
        cmp $0xb, %eax
        jb 1f
        mov $0xb, %eax
        xor %ecx, %ecx
        cpuid
        mov %edx, %r8d
        jmp 2f
1:      mov $1, %eax
        cpuid
        shr $24, %ebx
        mov %ebx, %r8d
2:      lea ap_boot_table(%rip), %rsi
        mov ap_boot_count(%rip), %ecx
        xor %edi, %edi
3:      cmp %ecx, %edi
        jae 5f
        mov %edi, %eax
        shl $4, %rax                    /* sizeof(struct ap_boot_entry) == 16 */
        cmp (%rsi,%rax), %r8d
        je 4f
        inc %edi
        jmp 3b
4:      mov 8(%rsi,%rax), %rsp
        xor %ebp, %ebp
        call ap_main                    /* ap_main(unsigned index) never returns */
5:      cli                             /* not in the table: stay parked */
        hlt
        jmp 5b
