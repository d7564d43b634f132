/*
 * Interrupt entry stubs (rt/irq.h): NMI and vectors 32-255. None of them
 * gets an error code from the CPU, so each pushes a zero and its vector,
 * making the frame a struct trap_frame, and returns with IRET.
 */
.macro stub n
	.globl irq_stub\n
irq_stub\n:
	pushl	$0
	pushl	$\n
	jmp	irq_common
.endm

	.text
irq_common:
	pushal
	cld
	push	%esp
	call	irq_dispatch
	add	$4, %esp
	popal
	add	$8, %esp		/* vector, error code */
	iret

	stub 2
	.altmacro
	.set	n, 32
	.rept	224
	stub	%n
	.set	n, n + 1
	.endr

.macro entry n
	.long	irq_stub\n
.endm
	.section .rodata
	.balign	4
	.globl	irq_stubs
irq_stubs:				/* by vector; 0 where there is no stub */
	.long	0, 0
	entry	2
	.rept	29
	.long	0
	.endr
	.set	n, 32
	.rept	224
	entry	%n
	.set	n, n + 1
	.endr

	.section .note.GNU-stack, "", @progbits
