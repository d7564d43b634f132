/*
 * boot/entry.S: the first instructions of the bare-metal kernel.
 *
 * Two ways in, both in 32-bit protected mode with paging off:
 *   - Multiboot2 (GRUB, BIOS or UEFI): EAX = MULTIBOOT2_BOOTLOADER_MAGIC,
 *     EBX = physical address of the boot information (Multiboot2 spec 3.3).
 *   - PVH (qemu -kernel, Xen): entry from the XEN_ELFNOTE_PHYS32_ENTRY note,
 *     EBX = physical address of struct hvm_start_info (xen/arch-x86/hvm/start_info.h).
 *
 * Both paths check for long mode, identity-map the first 4 GiB with 2 MiB
 * pages, enter long mode (SDM Vol 3A 10.8.5), enable SSE (newlib is compiled
 * with it) and call kmain(magic, info) on the boot stack.
 */
#define ASM_FILE 1
#include <multiboot2.h>
#include "boot/boot.h"

/* ---- Multiboot2 header (Multiboot2 spec 3.1) ---------------------------- */
        .section .multiboot2, "a"
        .balign MULTIBOOT_HEADER_ALIGN
mb2_header:
        .long MULTIBOOT2_HEADER_MAGIC
        .long MULTIBOOT2_ARCHITECTURE_I386
        .long mb2_header_end - mb2_header
        .long -(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCHITECTURE_I386 + (mb2_header_end - mb2_header))
        /* framebuffer request, optional: a linear framebuffer for the screen console */
        .balign MULTIBOOT_HEADER_ALIGN
        .short MULTIBOOT_HEADER_TAG_FRAMEBUFFER
        .short MULTIBOOT_HEADER_TAG_OPTIONAL
        .long 20
        .long 1024, 768, 32
        /* modules page-aligned, so they can be mapped as guest memory */
        .balign MULTIBOOT_HEADER_ALIGN
        .short MULTIBOOT_HEADER_TAG_MODULE_ALIGN
        .short 0
        .long 8
        .balign MULTIBOOT_HEADER_ALIGN
        .short MULTIBOOT_HEADER_TAG_END
        .short 0
        .long 8
mb2_header_end:

/* ---- PVH entry note (Xen public/elfnote.h, XEN_ELFNOTE_PHYS32_ENTRY = 18) */
        .section .note.Xen, "a", @note
        .balign 4
        .long 4                         /* name size, "Xen\0" */
        .long 4                         /* descriptor size */
        .long 18                        /* XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz "Xen"
        .long pvh_start

/* ---- 32-bit entry ------------------------------------------------------ */
        .section .boot.text, "ax"
        .code32
        .global mb2_start
mb2_start:
        cli
        cld
        mov %eax, %ebp                  /* magic */
        jmp boot32

        .global pvh_start
pvh_start:
        cli
        cld
        mov $BOOT_PVH_MAGIC, %ebp       /* hvm_start_info.magic, for kmain to tell the paths apart */

boot32:
        /* EBP = magic (nothing below touches it); EBX = boot information,
         * kept in memory because CPUID overwrites EBX */
        mov %ebx, boot_info_saved
        lgdt gdt32_ptr
        ljmp $BOOT_CS32, $1f
1:      mov $BOOT_DS, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        mov %eax, %fs
        mov %eax, %gs

        /* zero .bss (page tables and the boot stack live there) */
        mov $__bss_start, %edi
        mov $__bss_end, %ecx
        sub %edi, %ecx
        xor %eax, %eax
        rep stosb
        mov $boot_stack_top, %esp

        /* long mode present? CPUID.80000001H:EDX.LM[bit 29] */
        mov $0x80000000, %eax
        cpuid
        cmp $0x80000001, %eax
        jb no_long_mode
        mov $0x80000001, %eax
        cpuid
        bt $29, %edx
        jnc no_long_mode
        mov %edx, %esi                  /* keep NX (bit 20) for EFER.NXE */

        /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages */
        mov $boot_pdpt, %eax
        or $(PTE_P | PTE_W), %eax
        mov %eax, boot_pml4
        mov $boot_pd, %eax
        or $(PTE_P | PTE_W), %eax
        xor %ecx, %ecx
2:      mov %eax, boot_pdpt(,%ecx,8)
        add $4096, %eax
        inc %ecx
        cmp $4, %ecx
        jb 2b
        /* 2048 entries of 2 MiB: 4 GiB, identity */
        xor %ecx, %ecx
3:      mov %ecx, %eax
        shl $21, %eax
        or $(PTE_P | PTE_W | PTE_PS), %eax
        mov %eax, boot_pd(,%ecx,8)
        mov %ecx, %eax
        shr $11, %eax                   /* high dword: bits 32+ of the address */
        mov %eax, boot_pd+4(,%ecx,8)
        inc %ecx
        cmp $2048, %ecx
        jb 3b

        /* SDM Vol 3A 10.8.5: PAE, CR3, EFER.LME, then CR0.PG */
        mov %cr4, %eax
        or $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
        mov %eax, %cr4
        mov $boot_pml4, %eax
        mov %eax, %cr3
        mov $MSR_EFER, %ecx
        rdmsr
        or $EFER_LME, %eax
        bt $20, %esi
        jnc 4f
        or $EFER_NXE, %eax
4:      wrmsr
        mov %cr0, %eax
        and $~(CR0_EM | CR0_TS), %eax   /* SSE usable: no emulation, no task-switched trap */
        or $(CR0_PG | CR0_PE | CR0_MP | CR0_NE | CR0_WP), %eax
        mov %eax, %cr0
        lgdt gdt64_ptr
        ljmp $BOOT_CS64, $long_mode

no_long_mode:
        /* no long mode: say so on COM1 and stop */
        mov $msg_no_lm, %esi
5:      lodsb
        test %al, %al
        jz 7f
        mov %al, %ah
        mov $(0x3f8 + 5), %dx
6:      inb %dx, %al
        test $0x20, %al
        jz 6b
        mov $0x3f8, %dx
        mov %ah, %al
        outb %al, %dx
        jmp 5b
7:      hlt
        jmp 7b

/* ---- 64-bit ----------------------------------------------------------- */
        .code64
long_mode:
        mov $BOOT_DS, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        xor %eax, %eax
        mov %eax, %fs
        mov %eax, %gs
        mov $boot_stack_top, %rsp
        fninit
        ldmxcsr mxcsr_default
        /* kmain(uint32_t magic, uint64_t info); MOV r32 zero-extends, clearing
         * the upper halves the mode switch left undefined */
        mov %ebp, %edi
        mov boot_info_saved(%rip), %esi
        xor %ebp, %ebp                  /* ends stack traces */
        call kmain
9:      cli
        hlt
        jmp 9b

        .section .boot.data, "aw"
        .balign 16
gdt:
        .quad 0                         /* null */
        .quad 0x00cf9a000000ffff        /* BOOT_CS32: 32-bit code, flat */
        .quad 0x00af9a000000ffff        /* BOOT_CS64: 64-bit code */
        .quad 0x00cf92000000ffff        /* BOOT_DS: data, flat */
gdt_end:
gdt32_ptr:
        .short gdt_end - gdt - 1
        .long gdt
        .balign 8
gdt64_ptr:
        .short gdt_end - gdt - 1
        .quad gdt
mxcsr_default:
        .long 0x1f80                    /* all exceptions masked, round to nearest */
boot_info_saved:
        .long 0
msg_no_lm:
        .asciz "baremu: this CPU has no long mode (x86-64); cannot start\r\n"

        .section .bss
        .balign 4096
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
boot_pd:        .skip 4 * 4096
        .balign 4096
        .global boot_stack
boot_stack:     .skip BOOT_STACK_SIZE
boot_stack_top:
