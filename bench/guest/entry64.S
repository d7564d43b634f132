/* the 64-bit part's entry, first at LONG64_BASE (part64.ld): long.S calls it */
	.section .text.entry, "ax"
	.code64
	.globl entry64
entry64:
	jmp	bench_run64

	.section .note.GNU-stack, "", @progbits
