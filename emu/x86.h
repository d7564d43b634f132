/*
 * emu/x86.h: architectural constants of x86-64, named once (Intel SDM Vol 3A).
 * Safe to include from assembly. Both the emulated CPU and the bare-metal host
 * use these names.
 */
#ifndef BAREMU_X86_H
#define BAREMU_X86_H

/* CR0 (SDM Vol 3A 2.5) */
#define CR0_PE (1u << 0)  /* protection enable */
#define CR0_MP (1u << 1)  /* monitor coprocessor */
#define CR0_EM (1u << 2)  /* x87 emulation */
#define CR0_TS (1u << 3)  /* task switched */
#define CR0_ET (1u << 4)  /* extension type */
#define CR0_NE (1u << 5)  /* numeric error */
#define CR0_WP (1u << 16) /* write protect */
#define CR0_AM (1u << 18) /* alignment mask */
#define CR0_NW (1u << 29) /* not write-through */
#define CR0_CD (1u << 30) /* cache disable */
#define CR0_PG (1u << 31) /* paging */
#define CR3_PAE_MASK 0xffffffe0u /* PAE: the PDPT is 32-byte aligned */

/* CR4 (SDM Vol 3A 2.5) */
#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_FSGSBASE (1u << 16)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)

/* x87 FPU status word, control word and tags (SDM Vol 1 8.1.3, 8.1.5, 8.1.7) */
#define FSW_IE 0x0001 /* invalid operation; the six flags as in softfloat.h's SF_* */
#define FSW_DE 0x0002
#define FSW_ZE 0x0004
#define FSW_OE 0x0008
#define FSW_UE 0x0010
#define FSW_PE 0x0020
#define FSW_EXC 0x003f
#define FSW_SF 0x0040 /* stack fault */
#define FSW_ES 0x0080 /* error summary: an unmasked exception is pending */
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_TOP 0x3800
#define FSW_TOP_SHIFT 11
#define FSW_C3 0x4000
#define FSW_B 0x8000 /* busy: a copy of ES */
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FCW_MASKS 0x003f /* the exception masks, bit for bit over FSW_EXC */
#define FCW_WRITABLE 0x1f3f /* the rest reads as 0, but bit 6 as 1 (as silicon does) */
#define FCW_ONES 0x0040
#define FCW_PC_SHIFT 8
#define FCW_RC_SHIFT 10
#define FCW_RESET 0x0040 /* at RESET (SDM Vol 3A table 9-1) */
#define FCW_DEFAULT 0x037f /* after FNINIT */
#define FTW_VALID 0
#define FTW_ZERO 1
#define FTW_SPECIAL 2
#define FTW_EMPTY 3

/* page-table entry bits (SDM Vol 3A 4.5) */
#define PTE_P (1u << 0)
#define PTE_W (1u << 1)
#define PTE_U (1u << 2)
#define PTE_PWT (1u << 3)
#define PTE_PCD (1u << 4)
#define PTE_A (1u << 5)
#define PTE_D (1u << 6)
#define PTE_PS (1u << 7)
#define PTE_G (1u << 8)
#define PTE_NX (1ull << 63)

/* MSRs (SDM Vol 4) */
#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3b /* SDM Vol 3B 17.17.3 */
#define MSR_PLATFORM_ID 0x17
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_BIOS_SIGN_ID 0x8b /* microcode revision */
#define MSR_MTRRCAP 0xfe
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_PHYSBASE0 0x200 /* 0x200..0x20f: base/mask pairs */
#define MSR_MTRR_FIX64K 0x250
#define MSR_MTRR_FIX16K 0x258 /* and 0x259 */
#define MSR_MTRR_FIX4K 0x268  /* 0x268..0x26f */
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_TSC_AUX 0xc0000103

/* EFER (SDM Vol 3A 2.2.1) */
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* RFLAGS (SDM Vol 1 3.4.3) */
#define RFLAGS_CF (1u << 0)
#define RFLAGS_PF (1u << 2)
#define RFLAGS_AF (1u << 4)
#define RFLAGS_ZF (1u << 6)
#define RFLAGS_SF (1u << 7)
#define RFLAGS_TF (1u << 8)
#define RFLAGS_IF (1u << 9)
#define RFLAGS_DF (1u << 10)
#define RFLAGS_OF (1u << 11)
#define RFLAGS_IOPL (3u << 12) /* I/O privilege level */
#define RFLAGS_IOPL_SHIFT 12
#define RFLAGS_NT (1u << 14)
#define RFLAGS_RF (1u << 16)
#define RFLAGS_VM (1u << 17)
#define RFLAGS_AC (1u << 18)
#define RFLAGS_VIF (1u << 19)
#define RFLAGS_VIP (1u << 20)
#define RFLAGS_ID (1u << 21)
#define RFLAGS_FIXED (1u << 1) /* reads as 1 */
/* the six status flags (SDM Vol 1 3.4.3.1) */
#define RFLAGS_STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* segment descriptor attribute bits, as in bits 40..55 of a descriptor (SDM Vol 3A 3.4.5) */
#define SEG_ATTR_TYPE 0x000f  /* type field */
#define SEG_ATTR_S (1u << 4)  /* code or data (not system) */
#define SEG_ATTR_DPL_SHIFT 5
#define SEG_ATTR_DPL (3u << 5)
#define SEG_ATTR_P (1u << 7)   /* present */
#define SEG_ATTR_AVL (1u << 12)
#define SEG_ATTR_L (1u << 13)  /* 64-bit code segment */
#define SEG_ATTR_DB (1u << 14) /* default operand size / big */
#define SEG_ATTR_G (1u << 15)  /* granularity */
#define SEG_TYPE_ACCESSED 0x1
#define SEG_TYPE_WRITABLE 0x2 /* data: writable; code: readable */
#define SEG_TYPE_EXPDOWN 0x4  /* data: expand-down; code: conforming */
#define SEG_TYPE_CODE 0x8

/* instruction encoding limits (SDM Vol 2A 2.3.11) */
#define X86_MAX_INSN_LEN 15

/* page geometry (SDM Vol 3A 4.1) */
#define X86_PAGE_SHIFT 12
#define X86_A20_BIT    (1ull << 20) /* physical address bit 20, masked while the A20 gate is off */
#define X86_PAGE_SIZE (1ull << X86_PAGE_SHIFT)

/* #PF error code bits (SDM Vol 3A 4.7) */
#define PFERR_P (1u << 0)  /* protection violation (0: not present) */
#define PFERR_W (1u << 1)  /* write */
#define PFERR_U (1u << 2)  /* user mode */
#define PFERR_RSVD (1u << 3)
#define PFERR_I (1u << 4)  /* instruction fetch */

/* DR6 (SDM Vol 3A 18.2.3) */
#define DR6_BS (1u << 14) /* single step */

/* selector fields (SDM Vol 3A 3.4.2) and error codes (6.13) */
#define SEL_RPL 0x3
#define SEL_TI 0x4 /* LDT */
#define ERR_EXT 0x1 /* error code: an event external to the program */
#define ERR_IDT 0x2 /* error code: the index is an IDT vector */

/* system descriptor types, S = 0 (SDM Vol 3A 3.5, table 3-2) */
#define DESC_TSS16_AVAIL 0x1
#define DESC_LDT 0x2
#define DESC_TSS16_BUSY 0x3
#define DESC_CALL16 0x4
#define DESC_TASK 0x5
#define DESC_INT16 0x6
#define DESC_TRAP16 0x7
#define DESC_TSS_AVAIL 0x9 /* 32-bit, or 64-bit in IA-32e mode */
#define DESC_TSS_BUSY 0xb
#define DESC_CALL 0xc
#define DESC_INT 0xe
#define DESC_TRAP 0xf

/* CPUID feature bits (SDM Vol 2A CPUID, leaves 1, 7 and 0x80000001) */
#define CPUID_1_EDX_FPU (1u << 0)
#define CPUID_1_EDX_TSC (1u << 4)
#define CPUID_1_EDX_CX8 (1u << 8)
#define CPUID_1_EDX_CMOV (1u << 15)
#define CPUID_1_ECX_CX16 (1u << 13)
#define CPUID_1_ECX_MOVBE (1u << 22)
#define CPUID_1_ECX_POPCNT (1u << 23)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_PSE (1u << 3)
#define CPUID_1_EDX_MSR (1u << 5)
#define CPUID_1_EDX_PAE (1u << 6)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EDX_SEP (1u << 11)
#define CPUID_1_EDX_MTRR (1u << 12)
#define CPUID_1_EDX_PGE (1u << 13)
#define CPUID_1_EDX_PAT (1u << 16)
#define CPUID_1_EDX_PSE36 (1u << 17)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_SSE3 (1u << 0)
#define CPUID_1_ECX_SSSE3 (1u << 9)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27) /* a copy of CR4.OSXSAVE */
#define CPUID_1_EDX_MMX (1u << 23)
#define CPUID_1_EDX_FXSR (1u << 24)
#define CPUID_1_EDX_SSE (1u << 25)
#define CPUID_1_EDX_SSE2 (1u << 26)
#define CPUID_D1_EAX_XSAVEOPT (1u << 0)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_80000001_EDX_SYSCALL (1u << 11)
#define CPUID_80000001_EDX_NX (1u << 20)
#define CPUID_80000001_EDX_PDPE1GB (1u << 26)
#define CPUID_80000001_EDX_RDTSCP (1u << 27)
#define CPUID_80000007_EDX_INVTSC (1u << 8)
#define CPUID_7_EBX_TSC_ADJUST (1u << 1)
#define CPUID_7_EBX_BMI1 (1u << 3)
#define CPUID_7_EBX_SMEP (1u << 7)
#define CPUID_7_EBX_SMAP (1u << 20)
#define CPUID_80000001_ECX_LAHF (1u << 0)
#define CPUID_80000001_ECX_ABM (1u << 5) /* LZCNT */
#define CPUID_80000001_EDX_LM (1u << 29)

/* MXCSR (SDM Vol 1 10.2.3) */
#define MXCSR_IE (1u << 0) /* exception flags: invalid, denormal, divide by zero, */
#define MXCSR_DE (1u << 1) /* overflow, underflow, precision */
#define MXCSR_ZE (1u << 2)
#define MXCSR_OE (1u << 3)
#define MXCSR_UE (1u << 4)
#define MXCSR_PE (1u << 5)
#define MXCSR_FLAGS 0x003fu
#define MXCSR_DAZ (1u << 6)     /* denormals are zeros */
#define MXCSR_MASKS 0x1f80u     /* IM, DM, ZM, OM, UM, PM: bits 7..12 */
#define MXCSR_MASK_SHIFT 7
#define MXCSR_RC_SHIFT 13       /* rounding control, 2 bits */
#define MXCSR_RC (3u << 13)
#define MXCSR_FZ (1u << 15)     /* flush to zero */
#define MXCSR_MM (1u << 17)     /* AMD's misaligned SSE mode, where MXCSR_MASK has it */
#define MXCSR_DEFAULT 0x1f80u   /* after RESET, INIT and XRSTOR of the init state */
#define MXCSR_MASK_VALUE 0xffffu /* MXCSR_MASK in FXSAVE: every bit above is reserved (#GP) */

/* XCR0, the XSAVE feature mask (SDM Vol 1 13.3) */
#define XCR0_X87 (1u << 0)
#define XCR0_SSE (1u << 1)

/* the XSAVE area (SDM Vol 1 13.4): the FXSAVE-format legacy region, then the header */
#define FXSAVE_AREA_SIZE 512
#define XSAVE_HEADER_OFFSET 512
#define XSAVE_HEADER_SIZE 64

/* exception vectors (SDM Vol 3A 6.3.1) */
#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_OF 4
#define VEC_BR 5
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MF 16
#define VEC_AC 17
#define VEC_MC 18
#define VEC_XM 19
#define VEC_VE 20
#define VEC_CP 21
#define NUM_EXCEPTIONS 32

#endif
