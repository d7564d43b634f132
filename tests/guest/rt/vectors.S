/*
 * Entry stubs for all 256 IDT vectors (SDM Vol 3A 6.12). Each pushes a dummy
 * error code where the CPU pushes none, then the vector number, then the
 * general and data segment registers, loads the runtime's data segment and
 * calls rt_dispatch(struct trap_frame *). When that returns (a handler of
 * the test's took the trap) the stub restores the frame, which the handler
 * may have changed, and IRETs. Layout: struct trap_frame in guest.h.
 */
#include "ring3.h"

/* the CPU pushes an error code for 8, 10-14, 17, 21, 29, 30 (SDM Vol 3A table 6-1) */
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
	push	%ds
	push	%es
	push	%fs
	push	%gs
	mov	$SEL_KDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	cld
	push	%esp
	call	rt_dispatch
	add	$4, %esp
	pop	%gs
	pop	%fs
	pop	%es
	pop	%ds
	popal
	add	$8, %esp		/* vector, error code */
	iret

	.altmacro
.macro stubs from=0, to=255
	vector \from
	.if \to-\from
	stubs %(\from+1),\to
	.endif
.endm
	/* in four runs: gas limits macro recursion to 100 levels */
	stubs 0, 63
	stubs 64, 127
	stubs 128, 191
	stubs 192, 255

.macro entry n
	.long	trap_vector\n
.endm
.macro entries from=0, to=255
	entry \from
	.if \to-\from
	entries %(\from+1),\to
	.endif
.endm
	.section .rodata
	.balign 4
	.globl trap_vectors
trap_vectors:
	entries 0, 63
	entries 64, 127
	entries 128, 191
	entries 192, 255

	.section .note.GNU-stack, "", @progbits
