/*
 * int ring3_call(int (*fn)(void *), void *arg): IRET to ring 3 (SDM Vol 2A
 * IRET: a return to an outer privilege level pops EIP, CS, EFLAGS, ESP and
 * SS), call fn(arg) there, and come back through the
 * DPL-3 gate RING3_RETURN_VECTOR, whose stub picks up the ring-0 context
 * ring3_call saved. The trap from ring 3 lands on TSS.ESP0 (ring0_stack).
 */
#include "ring3.h"

#define EFL_TF   0x00000100
#define EFL_IOPL 0x00003000
#define EFL_NT   0x00004000
#define RING3_SAVED 20 /* pushed below: ebp ebx esi edi eflags */

	.text
	.globl ring3_call
	.type ring3_call, @function
ring3_call:
	push	%ebp
	push	%ebx
	push	%esi
	push	%edi
	pushfl
	cmpl	$0, ring3_saved_esp
	jne	ring3_nested
	mov	%esp, ring3_saved_esp
	mov	RING3_SAVED + 4(%esp), %ebx	/* fn */
	mov	RING3_SAVED + 8(%esp), %esi	/* arg */
	pushl	$SEL_UDATA			/* SS */
	pushl	$ring3_stack_top		/* ESP */
	pushfl					/* EFLAGS */
	andl	$~(EFL_TF | EFL_IOPL | EFL_NT), (%esp)
	pushl	$SEL_UCODE			/* CS */
	pushl	$ring3_entry			/* EIP */
	mov	$SEL_UDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	iret

ring3_entry:					/* CPL 3 */
	push	%esi
	call	*%ebx
	mov	%eax, %ebx
	int	$RING3_RETURN_VECTOR
	ud2

ring3_nested:
	popfl
	pop	%edi
	pop	%esi
	pop	%ebx
	pop	%ebp
	push	$ring3_nested_msg
	call	tap_bail
	.size ring3_call, . - ring3_call

	/* CPL 0 on ring0_stack, IF clear; EBX = fn's result */
	.globl ring3_return_stub
	.type ring3_return_stub, @function
ring3_return_stub:
	mov	$SEL_KDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	ring3_saved_esp, %eax
	test	%eax, %eax
	jz	ring3_stray
	mov	%eax, %esp
	movl	$0, ring3_saved_esp
	mov	%ebx, %eax
	popfl
	pop	%edi
	pop	%esi
	pop	%ebx
	pop	%ebp
	ret
ring3_stray:
	push	$ring3_stray_msg
	call	tap_bail
	.size ring3_return_stub, . - ring3_return_stub

	.section .rodata
ring3_nested_msg:
	.asciz	"ring3_call: already in ring 3 (not nestable)"
ring3_stray_msg:
	.asciz	"ring3_call: return vector taken outside ring3_call"

	.bss
	.balign 4
ring3_saved_esp:
	.long	0
	.balign 16
	.globl ring0_stack, ring0_stack_top, ring3_stack, ring3_stack_top
ring0_stack:
	.skip	RING0_STACK_SIZE
ring0_stack_top:
ring3_stack:
	.skip	RING3_STACK_SIZE
ring3_stack_top:

	.section .note.GNU-stack, "", @progbits
