/*
 * Guest test entry: a Multiboot1 header and the 32-bit start-up.
 *
 * Multiboot 0.6.96 section 3.2: we arrive in 32-bit protected mode, paging
 * off, interrupts off, EAX = 0x2BADB002, EBX = the boot information, CS and
 * DS flat but the GDTR possibly stale, ESP undefined. So: load our own GDT,
 * reload every segment register, take a stack, then
 *   rt_init(magic, mbi); status = gmain(magic, mbi); guest_exit(status).
 *
 * The loader zeroes .bss (the ELF segments' memsz past filesz); rt_init
 * checks that it did.
 */
#define ASM_FILE 1
#include <multiboot.h> /* grub2 source package, via scripts/setup */
#include "ring3.h"

#define MB_FLAGS   (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)
#define STACK_SIZE 16384

	.section .multiboot, "a"
	.balign MULTIBOOT_HEADER_ALIGN
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)

	.text
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	mov	%eax, %esi		/* esi, edi survive the calls below */
	mov	%ebx, %edi
	lgdt	gdt_desc
	ljmp	$SEL_KCODE, $1f
1:	mov	$SEL_KDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$stack_top, %esp
	xor	%ebp, %ebp
	pushl	$0
	popfl				/* a known EFLAGS: IF, DF, AC, NT clear */

	push	%edi
	push	%esi
	call	rt_init
	add	$8, %esp

	push	%edi			/* again: a callee may write its argument slots */
	push	%esi
	call	gmain
	add	$8, %esp

	push	%eax
	call	guest_exit
2:	cli
	hlt
	jmp	2b
	.size _start, . - _start

	/* writable: ring3_init() fills the TSS slot, gdt_set() a test's own */
	.data
	.balign 8
	.globl rt_gdt
rt_gdt:
	.quad	0			/* null */
	.quad	0x00CF9B000000FFFF	/* SEL_KCODE: code, base 0, limit 4 GiB, 32-bit, accessed */
	.quad	0x00CF93000000FFFF	/* SEL_KDATA: data, base 0, limit 4 GiB, accessed */
	.quad	0x00CFFB000000FFFF	/* SEL_UCODE: the same at DPL 3 */
	.quad	0x00CFF3000000FFFF	/* SEL_UDATA: the same at DPL 3 */
	.fill	GDT_ENTRIES - 5, 8, 0	/* SEL_TSS, then the test's slots */
gdt_end:
	.balign 4
	.word	0
gdt_desc:
	.word	gdt_end - rt_gdt - 1
	.long	rt_gdt

	.bss
	.balign 16
	.globl stack_bottom
stack_bottom:
	.skip	STACK_SIZE
	.globl stack_top
stack_top:

	.section .note.GNU-stack, "", @progbits
