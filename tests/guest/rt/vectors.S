/*
 * Entry stubs for the 32 exception vectors (SDM Vol 3 6.15). Each pushes a
 * dummy error code where the CPU pushes none, then the vector number, then
 * the general registers, and calls rt_trap(struct trap_frame *), which
 * reports and exits. Layout must match struct trap_frame in idt.h.
 */

/* the CPU pushes an error code for 8, 10-14, 17, 21, 29, 30 (SDM Vol 3 table 6-1) */
.macro vector n
	.globl trap_vector\n
	.type trap_vector\n, @function
trap_vector\n:
	.if !(\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	pushl	$0
	.endif
	pushl	$\n
	jmp	trap_common
.endm

	.text
trap_common:
	pushal
	cld
	push	%esp
	call	rt_trap
1:	cli
	hlt
	jmp	1b

	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vector \n
	.endr

	.section .rodata
	.balign 4
	.globl trap_vectors
trap_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	trap_vector\n
	.endr

	.section .note.GNU-stack, "", @progbits
