/* the 64-bit part's image, placed at LONG64_BASE by guest64.ld */
	.section .long64, "awx"
	.incbin PART64_BIN
	.section .note.GNU-stack, "", @progbits
