/*
 * The 64-bit variants of the workloads: the same 32-bit Multiboot kernel
 * and harness (harness.c), whose bench_run() is this trampoline. It
 * switches to long mode (PAE paging, the first 1 GiB identity-mapped with
 * 2 MiB pages, EFER.LME, CR0.PG, a far jump to a 64-bit code segment),
 * calls the workload built for x86-64 (part64.ld links it at LONG64_BASE;
 * its entry is the first byte there), then goes back to 32-bit protected
 * mode (a far return to compatibility mode, CR0.PG off, EFER.LME off) and
 * returns the checksum. SDM Vol 3A 9.8.5 (initializing IA-32e mode) and
 * 9.8.5.4 (leaving it).
 */
#define SEL_CODE32 0x08
#define SEL_DATA   0x10
#define SEL_CODE64 0x18
#define MSR_EFER   0xC0000080
#define EFER_LME   0x100
#define CR0_PG     0x80000000
#define CR4_PAE    0x20

	.text
	.code32
	.globl bench_run
	.type bench_run, @function
bench_run:			/* uint32_t bench_run(uint32_t iters), cdecl */
	push	%ebp
	mov	%esp, %ebp
	push	%ebx
	push	%esi
	push	%edi
	mov	8(%ebp), %edi		/* iters: the 64-bit callee's first argument */

	lgdt	gdt_desc
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0		/* IA-32e mode, still 32-bit code (compatibility mode) */
	ljmp	$SEL_CODE64, $1f

	.code64
1:	mov	%edi, %edi		/* upper halves are undefined after the switch */
	mov	%esp, %esp
	mov	%rsp, %rbx		/* callee-saved */
	and	$-16, %rsp		/* the SysV ABI's call alignment */
	mov	$LONG64_BASE, %eax
	call	*%rax			/* eax = checksum */
	mov	%rbx, %rsp
	pushq	$SEL_CODE32
	lea	2f(%rip), %rcx		/* (an elf32 object has no 64-bit absolute) */
	push	%rcx
	lretq				/* to compatibility mode */

	.code32
2:	mov	%eax, %esi
	mov	%cr0, %eax
	and	$~CR0_PG, %eax
	mov	%eax, %cr0		/* leaves IA-32e mode: 32-bit protected mode */
	mov	$MSR_EFER, %ecx
	rdmsr
	and	$~EFER_LME, %eax
	wrmsr
	mov	%cr4, %eax
	and	$~CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%esi, %eax
	pop	%edi
	pop	%esi
	pop	%ebx
	pop	%ebp
	ret
	.size bench_run, . - bench_run

	.section .rodata
	.balign 8
gdt:
	.quad	0			/* null */
	.quad	0x00CF9B000000FFFF	/* 0x08: code, 32-bit, as crt0's */
	.quad	0x00CF93000000FFFF	/* 0x10: data, as crt0's */
	.quad	0x00AF9B000000FFFF	/* 0x18: code, 64-bit (L=1, D=0) */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.data
	.balign 4096
pml4:	.long	pdpt + 3, 0		/* present, writable */
	.fill	511, 8, 0
pdpt:	.long	pd + 3, 0
	.fill	511, 8, 0
pd:				/* 512 x 2 MiB: the first 1 GiB, identity */
	.set	i, 0
	.rept	512
	.long	(i << 21) | 0x83, 0	/* present, writable, 2 MiB page */
	.set	i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
