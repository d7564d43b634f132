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
#define X86_PAGE_SIZE (1ull << X86_PAGE_SHIFT)

/* #PF error code bits (SDM Vol 3A 4.7) */
#define PFERR_P (1u << 0)  /* protection violation (0: not present) */
#define PFERR_W (1u << 1)  /* write */
#define PFERR_U (1u << 2)  /* user mode */
#define PFERR_RSVD (1u << 3)
#define PFERR_I (1u << 4)  /* instruction fetch */

/* CPUID feature bits (SDM Vol 2A CPUID, leaves 1, 7 and 0x80000001) */
#define CPUID_1_EDX_FPU (1u << 0)
#define CPUID_1_EDX_TSC (1u << 4)
#define CPUID_1_EDX_CX8 (1u << 8)
#define CPUID_1_EDX_CMOV (1u << 15)
#define CPUID_1_ECX_CX16 (1u << 13)
#define CPUID_1_ECX_MOVBE (1u << 22)
#define CPUID_1_ECX_POPCNT (1u << 23)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_7_EBX_BMI1 (1u << 3)
#define CPUID_80000001_ECX_LAHF (1u << 0)
#define CPUID_80000001_ECX_ABM (1u << 5) /* LZCNT */
#define CPUID_80000001_EDX_LM (1u << 29)

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
