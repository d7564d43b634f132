/*
 * tests/guest/rt/ap_tramp.S: where an application processor of a guest test
 * starts (SDM Vol 3A 9.4.4: a STARTUP IPI with vector V starts it in real
 * mode at V:0000). smp_start_aps() copies ap_tramp..ap_tramp_end to
 * AP_TRAMP_BASE; the AP loads the trampoline's own GDT, enters 32-bit
 * protected mode, takes the stack smp.c left for it and calls ap_entry().
 */
#include "smp.h"

#define T(x) (AP_TRAMP_BASE + ((x) - ap_tramp))
#define SEL_CODE 0x08
#define SEL_DATA 0x10

	.section .rodata
	.balign 16
	.code16
	.globl ap_tramp, ap_tramp_end
ap_tramp:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	T(tramp_gdt_desc)
	mov	%cr0, %eax
	or	$1, %eax		/* CR0.PE */
	mov	%eax, %cr0
	ljmpl	$SEL_CODE, $T(tramp_pm32)

	.code32
tramp_pm32:
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	lock incl ap_tramp_entries	/* smp.h: every start is counted */
	/* one AP at a time: take the next stack and index from smp.c */
	mov	$1, %eax
1:	xchg	%eax, ap_boot_lock
	test	%eax, %eax
	jz	2f
	pause
	mov	$1, %eax
	jmp	1b
2:	mov	ap_next_stack, %esp	/* wait, holding the lock, until smp.c posts one */
	test	%esp, %esp
	jnz	4f
	pause
	jmp	2b
4:	mov	ap_next_index, %ebx
	movl	$0, ap_next_stack	/* smp.c waits for this before the next one */
	movl	$0, ap_boot_lock
	push	%ebx
	mov	$ap_entry, %eax		/* absolute: this code runs from its copy */
	call	*%eax			/* never returns */
3:	cli
	hlt
	jmp	3b

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* SEL_CODE: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* SEL_DATA: flat data */
tramp_gdt_desc:
	.word tramp_gdt_desc - tramp_gdt - 1
	.long T(tramp_gdt)
ap_tramp_end:
	.data
	.balign	4
	.globl	ap_tramp_entries
ap_tramp_entries:
	.long	0

	.section .note.GNU-stack, "", @progbits
