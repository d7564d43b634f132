/*
 * MSR accesses that survive a #GP (rt/cpu.h), the way an exception table
 * works in a kernel: each instruction that may fault has a recovery address;
 * the #GP stub looks the faulting EIP up and, on a hit, resumes there with
 * EAX = 13. Anything else goes on to the runtime's fatal #GP handler.
 */
#define VEC_GP 13

	.text
	/* int rdmsr_safe(uint32_t msr, uint64_t *value) */
	.globl	rdmsr_safe
	.type	rdmsr_safe, @function
rdmsr_safe:
	push	%ebx
	mov	8(%esp), %ecx
	mov	12(%esp), %ebx
rdmsr_insn:
	rdmsr
	mov	%eax, (%ebx)
	mov	%edx, 4(%ebx)
	xor	%eax, %eax
rdmsr_out:
	pop	%ebx
	ret
	.size	rdmsr_safe, . - rdmsr_safe

	/* int wrmsr_safe(uint32_t msr, uint64_t value) */
	.globl	wrmsr_safe
	.type	wrmsr_safe, @function
wrmsr_safe:
	mov	4(%esp), %ecx
	mov	8(%esp), %eax
	mov	12(%esp), %edx
wrmsr_insn:
	wrmsr
	xor	%eax, %eax
wrmsr_out:
	ret
	.size	wrmsr_safe, . - wrmsr_safe

	/* the #GP gate: error code on the stack, then EIP, CS, EFLAGS */
	.globl	gp_recover_stub
	.type	gp_recover_stub, @function
gp_recover_stub:
	push	%eax
	push	%ebx
	mov	12(%esp), %eax		/* the faulting EIP */
	mov	$fixups, %ebx
1:	cmp	$fixups_end, %ebx
	je	3f
	cmp	(%ebx), %eax
	je	2f
	add	$8, %ebx
	jmp	1b
2:	mov	4(%ebx), %eax
	mov	%eax, 12(%esp)		/* resume at the recovery address */
	pop	%ebx
	pop	%eax
	mov	$VEC_GP, %eax		/* the call's result: the vector */
	add	$4, %esp		/* the error code */
	iret
3:	pop	%ebx			/* not ours: the runtime reports it */
	pop	%eax
	jmp	*trap_vectors + 4 * VEC_GP
	.size	gp_recover_stub, . - gp_recover_stub

	.section .rodata
	.balign	4
fixups:
	.long	rdmsr_insn, rdmsr_out
	.long	wrmsr_insn, wrmsr_out
fixups_end:

	.section .note.GNU-stack, "", @progbits
