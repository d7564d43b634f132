/*
 * emu/cpu/cpu.h: one guest x86-64 vCPU, its state and the interpreter's
 * public entry points. docs/cpu.md describes the design.
 *
 * A vCPU reaches memory and I/O only through a struct cpu_bus, which the
 * machine shares between its vCPUs; everything else here is per-vCPU.
 */
#ifndef BAREMU_CPU_H
#define BAREMU_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/codemap.h"
#include "emu/cpu/fxsave.h"
#include "emu/cpu/insn.h"
#include "emu/lock.h"

/* general-purpose registers, in encoding order */
enum {
    REG_RAX,
    REG_RCX,
    REG_RDX,
    REG_RBX,
    REG_RSP,
    REG_RBP,
    REG_RSI,
    REG_RDI,
    REG_R8,
    REG_R9,
    REG_R10,
    REG_R11,
    REG_R12,
    REG_R13,
    REG_R14,
    REG_R15,
    NUM_GPRS
};

/* segment registers, in encoding order (sreg field of MOV Sreg) */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, NUM_SEGS };

/* execution mode, derived from CR0.PE, EFER.LMA, CS.L and CS.D */
enum cpu_mode {
    MODE_REAL,   /* real address mode (16-bit) */
    MODE_PROT16, /* protected or compatibility mode, 16-bit code segment */
    MODE_PROT32, /* protected or compatibility mode, 32-bit code segment */
    MODE_LONG64, /* 64-bit mode */
};

/* a segment register with its hidden descriptor cache (SDM Vol 3A 3.4.3) */
struct seg {
    uint64_t base;
    uint32_t limit; /* byte granular, already scaled by G */
    uint16_t sel;
    uint16_t attr; /* SEG_ATTR_* (emu/x86.h) */
};

struct dtr {
    uint64_t base;
    uint16_t limit;
};

/*
 * Lazy flags (docs/cpu.md): the status flags are computed from the last
 * flag-setting operation only when something reads them.
 */
enum lf_op {
    LF_NONE, /* status flags are in cpu->rflags */
    LF_ADD,  /* res = src1 + src2 */
    LF_ADC,  /* res = src1 + src2 + 1 */
    LF_SUB,  /* res = src1 - src2 */
    LF_SBB,  /* res = src1 - src2 - 1 */
    LF_RES,  /* SF, ZF, PF from res; CF, OF, AF are the bits in src1 */
};

struct lazy_flags {
    uint64_t res, src1, src2;
    uint8_t op;   /* enum lf_op */
    uint8_t size; /* operand size in bytes */
};

/*
 * Software TLB: a direct-mapped cache from linear page to host page. A read
 * hit needs the tag to match; a write or fetch hit needs its own tag to.
 */
#define CPU_TLB_BITS    8
#define CPU_TLB_SIZE    (1u << CPU_TLB_BITS)
#define CPU_TLB_INVALID UINT64_MAX
struct tlb_entry {
    uint64_t tag;   /* linear page number, or CPU_TLB_INVALID */
    uint64_t wtag;  /* the same when writes may go straight through */
    uint64_t xtag;  /* the same when instructions may be fetched */
    uintptr_t host; /* host address of the page */
};

/*
 * The x87 FPU, MMX and SSE state (issue 8), kept here in emulator memory and
 * never in host registers, so a host interrupt cannot disturb it. The x87
 * files own struct x87_state, the SSE files the XMM registers and MXCSR; the
 * MMX registers MM0..MM7 are the mantissas of the physical x87 registers
 * R0..R7 (SDM Vol 1 9.5), which is why both live side by side.
 */
struct fpu_reg {
    uint64_t mant; /* significand, the explicit integer bit is bit 63; MMn */
    uint16_t se;   /* sign (bit 15) and biased exponent (14..0); all ones after an MMX write */
};

struct x87_state {
    struct fpu_reg r[8]; /* physical registers: ST(i) is r[(TOP + i) & 7] */
    uint16_t fcw;        /* control word */
    uint16_t fsw;        /* status word, TOP in bits 13..11 */
    uint8_t ftw;         /* abridged tag word as FXSAVE has it: bit i set = R_i is not empty;
                            the full 2-bit tags are computed from the contents when stored */
    uint16_t fop;        /* the last non-control instruction's opcode, 11 bits */
    uint64_t fip, fdp;   /* the last instruction's and data operand's offsets */
    uint16_t fcs, fds;   /* and their selectors */
};

union xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
};

struct cpu;

/* page permissions from a bus translate hook */
#define CPU_PERM_W 0x1 /* writable */
#define CPU_PERM_X 0x2 /* executable */

/*
 * The machine as a vCPU sees it. Guest RAM is one host block, ram[0..ram_size)
 * at guest-physical 0, and optionally a second, ram_high[0..ram_high_size) at
 * guest-physical ram_high_base (a PC's RAM above 4 GiB). What is not RAM goes
 * to the mmio callbacks, ports to the io callbacks. Shared by every vCPU of a
 * machine.
 */
/*
 * A ROM the CPU maps read-only (struct cpu_bus.rom): the -bios image at
 * [base, base + size) just below 4 GiB, and its last 128 KiB (or all of it,
 * if smaller) also at 0xE0000-0xFFFFF, where the chipset's PAM registers
 * (i440FX datasheet 3.2.18) choose per 16 KiB segment of 0xC0000-0xFFFFF
 * whether reads come from RAM or from the ROM (open bus below the ROM's
 * alias), and whether writes go to RAM or nowhere. Writes to the ROM itself
 * are dropped.
 */
#define CPU_SHADOW_BASE      0xC0000ull
#define CPU_SHADOW_END       0x100000ull
#define CPU_SHADOW_SEG_SHIFT 14 /* 16 KiB */
#define CPU_SHADOW_SEGS      16
#define CPU_SHADOW_ALIAS     0x20000ull /* how much of the ROM's end appears below 1 MiB */
#define CPU_SHADOW_RE        1          /* reads and fetches from RAM (else ROM / open bus) */
#define CPU_SHADOW_WE        2          /* writes to RAM (else dropped) */

struct cpu_rom {
    const uint8_t *data;
    uint64_t base, size;
    uint8_t shadow[CPU_SHADOW_SEGS]; /* per segment from 0xC0000: CPU_SHADOW_RE|WE (atomic) */
};

struct cpu_bus {
    uint8_t *ram;
    uint64_t ram_size;
    uint8_t *ram_high; /* NULL: no second region */
    uint64_t ram_high_base, ram_high_size;
    void *opaque;
    uint64_t (*mmio_read)(void *opaque, uint64_t pa, unsigned size);
    void (*mmio_write)(void *opaque, uint64_t pa, uint64_t val, unsigned size);
    uint32_t (*io_in)(void *opaque, uint16_t port, unsigned size);
    void (*io_out)(void *opaque, uint16_t port, uint32_t val, unsigned size);
    uint64_t (*tsc)(void *opaque); /* the guest TSC */
    /*
     * Optional linear-to-host translation for user-mode embedding (the
     * differential tests): returns the host address of the 4 KiB page holding
     * lin, or NULL to raise #PF; *perm gets CPU_PERM_* for the page.
     * When NULL, paging follows CR0/CR3/CR4, except in the user-mode
     * embedding (cpu_set_user_mode), where linear is physical.
     */
    uint8_t *(*translate)(void *opaque, uint64_t lin, unsigned *perm);
    /* a locked operation that splits across host pages (or touches MMIO)
     * runs between bus_lock and bus_unlock: the machine stops every other
     * vCPU meanwhile, as a real bus lock does. NULL: serialised by
     * split_lock against other split operations on this bus only. */
    void (*bus_lock)(void *opaque);
    void (*bus_unlock)(void *opaque);
    struct spinlock split_lock;
    /* MSRs the CPU does not own itself (IA32_APIC_BASE, x2APIC 0x800-0x8ff,
     * IA32_TSC_DEADLINE): 0, or -1 for #GP. NULL: every such MSR is #GP. */
    int (*rdmsr)(void *opaque, uint32_t msr, uint64_t *value);
    int (*wrmsr)(void *opaque, uint32_t msr, uint64_t value);
    /* CR8 is the LAPIC's TPR[7:4] (SDM Vol 3A 11.8.6); NULL: CR8 is plain storage */
    uint64_t (*cr8_read)(void *opaque);
    void (*cr8_write)(void *opaque, uint64_t value);
    /* FERR#: an x87 waiting instruction found an unmasked exception pending
     * with CR0.NE clear; the PC routes it to IRQ 13 (SDM Vol 1 8.7). NULL: none */
    void (*ferr)(void *opaque);
    /*
     * The memory map's moving parts, shared by every vCPU: the A20 gate
     * (port 0x92, the i8042; while it is off, physical address bit 20 reads
     * as 0: the A20M# pin) and the ROM's shadow rights. Whoever changes them
     * bumps *map_gen; the CPU compares it when cpu_run starts and after each
     * OUT, and then re-reads the gate and flushes its TLB (cpu_map_sync).
     * NULL map_gen: A20 always on, nothing moves.
     */
    const uint32_t *map_gen;
    const bool *a20_on;
    const struct cpu_rom *rom; /* NULL: no ROM, plain RAM below 1 MiB */
    /* write tracking of ram, shared by the machine's vCPUs and devices: code
     * decoded from RAM is cached only with it (NULL: RAM code is decoded at
     * every execution). Whoever writes RAM behind the vCPUs' backs (DMA, the
     * host) reports it with codemap_written(). */
    struct codemap *code;
};

/* why cpu_run returned */
enum cpu_exit {
    CPU_EXIT_BUDGET,    /* ran the instructions it was given */
    CPU_EXIT_EXCEPTION, /* user-mode embedding only: an exception stopped it, see cpu->exc */
    CPU_EXIT_HLT,       /* HLT retired: the vCPU sleeps until an interrupt, NMI or INIT */
    CPU_EXIT_SHUTDOWN,  /* a triple fault (SDM Vol 3A 6.15, #DF): cpu->exc holds the last fault */
    CPU_EXIT_EVENT,     /* *cpu->events became non-zero: the machine has something to deliver */
    CPU_EXIT_PAUSE, /* the pause_exit_every-th PAUSE: the guest spins, waiting for another vCPU */
};

/* an exception raised by an instruction (vector, error code) */
struct cpu_exception {
    uint8_t vector;
    bool has_error;
    uint32_t error;
    uint64_t cr2; /* for #PF */
};

/*
 * Debugging (emu/debug.c: build/baremu -d and -rip-history). The machine
 * sets these; NULL means off. The hooks sit on the event paths (delivery,
 * an MSR nobody implements), never on the instruction path, and the RIP
 * history runs its own copy of the run loop (exec.c), so the plain loop is
 * the same code with debugging off.
 */
enum cpu_event_kind {
    CPU_EVENT_EXCEPTION, /* detected by the CPU (a fault, a trap, #DB from TF) */
    CPU_EVENT_EXTERNAL,  /* an interrupt, an NMI, INT1 */
    CPU_EVENT_SOFTWARE,  /* INT n, INT3, INTO */
};

struct cpu_debug {
    void *opaque;
    /* an event is about to be delivered at the current CS:RIP */
    void (*event)(void *opaque, const struct cpu *c, unsigned vector, enum cpu_event_kind kind,
                  bool has_error, uint32_t error);
    /* RDMSR or WRMSR that raises #GP: an MSR nobody implements, or a value it refuses */
    void (*bad_msr)(void *opaque, const struct cpu *c, uint32_t msr, bool write, uint64_t value);
};

/* one entry of the RIP history */
struct cpu_rip {
    uint64_t rip;
    uint16_t cs;
    uint8_t mode;   /* enum cpu_mode */
    uint16_t event; /* 0: an instruction at cs:rip; else CPU_RIP_EVENT, the kind and vector of
                       an event delivered there */
};
#define CPU_RIP_EVENT           0x100u
#define CPU_RIP_KIND_SHIFT      9
#define CPU_RIP_EVENT_OF(k, v)  (CPU_RIP_EVENT | (unsigned)(k) << CPU_RIP_KIND_SHIFT | (v))
#define CPU_RIP_EVENT_KIND(e)   ((enum cpu_event_kind)((e) >> CPU_RIP_KIND_SHIFT))
#define CPU_RIP_EVENT_VECTOR(e) ((e)&0xffu)

/* the features a vCPU advertises and implements */
#define CPU_AC_SLOTS 16

struct cpu_features {
    bool tzcnt; /* F3 0F BC is TZCNT (BMI1); BSF otherwise */
    /* CMPS reads ES:rDI before DS:rSI, so a fault on both reports rDI's
     * address. The SDM leaves the order open and silicon differs (some AMD
     * Zen parts read rDI first); by default DS:rSI is read first, as QEMU
     * and Bochs do. The differential oracle sets it to match its host. */
    bool cmps_dst_first;
    /* FXSAVE and XSAVE store FOP, FIP, FDP (and FCS, FDS) as zeros unless an
     * x87 exception is pending (FSW.ES), as AMD parts do; Intel parts store
     * them. Off by default; the differential oracle sets it to match its host. */
    bool fpu_ptrs_es_only;
    /* FXSAVE and FXRSTOR check the segment (limit, or the
     * canonical form: #SS for an SS-based address) before the area's
     * alignment #GP(0), as AMD Zen 5 does; off by default: the alignment
     * first, as an earlier AMD Zen host did, and as the XSAVE family does on
     * both. The SDM leaves the order open;
     * the differential oracle sets it to match its host. */
    bool save_area_seg_first;
    /* MXCSR_MASK: the MXCSR bits that may be set (others #GP), as FXSAVE reports them.
     * MXCSR_MASK_VALUE by default; the oracle takes its host's, which on AMD
     * parts with misaligned SSE has MXCSR_MM (see simd.h). */
    uint32_t mxcsr_mask;
    /* what CPUID reports of the machine (0: leave the leaf out) */
    uint32_t apic_id;  /* leaves 1, 0xB, 0x1F */
    unsigned ncpus;    /* the topology of leaves 0xB/0x1F: one core per vCPU */
    uint64_t tsc_hz;   /* leaves 0x15/0x16 and the hypervisor leaf */
    uint64_t lapic_hz; /* the hypervisor leaf */
};

struct cpu {
    union {
        /* what an effective address adds up (cpu_ea): the GPRs, 0, next_rip */
        uint64_t xgpr[NUM_GPRS + 2];
        struct {
            uint64_t gpr[NUM_GPRS];
            uint64_t gpr_zero; /* always 0 */
            uint64_t next_rip; /* set by the decoder, changed by branches */
        };
    };
    uint64_t rip;
    uint64_t rflags; /* status flags valid only when lf.op == LF_NONE */
    struct lazy_flags lf;

    struct seg seg[NUM_SEGS];
    struct seg ldtr, tr;
    struct dtr gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t a20_mask; /* ~0, or ~X86_A20_BIT while the A20 gate is off */
    uint32_t map_gen;  /* the bus's *map_gen this vCPU's TLB was filled under */
    uint64_t efer;
    uint64_t kernel_gs_base, star, lstar, cstar, sfmask;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_aux, pat, apic_base, misc_enable;
    uint64_t tsc_offset; /* IA32_TSC writes: guest TSC = bus->tsc() + tsc_offset */
    uint64_t tsc_adjust; /* IA32_TSC_ADJUST: what TSC and TSC_ADJUST writes added (17.17.3) */
    uint64_t mtrr_def, mtrr_fixed[11], mtrr_var[16]; /* MTRRs, storage only */
    uint64_t dr[8];                                  /* DR0..DR7, storage only */

    struct x87_state x87;
    union xmm xmm[16];
    uint32_t mxcsr;
    uint64_t xcr0; /* XCR0 (XSETBV) */

    uint8_t mode; /* enum cpu_mode */
    uint8_t cpl;
    unsigned index; /* vCPU index and initial APIC ID */
    struct cpu_features feat;

    const volatile uint32_t *events; /* the machine's event word; NULL: never CPU_EXIT_EVENT */
    /* 0, or end cpu_run with CPU_EXIT_PAUSE at every pause_exit_every-th PAUSE,
     * so a host with fewer cores than vCPUs can run another vCPU meanwhile */
    uint32_t pause_exit_every, pause_count;

    uint64_t icount; /* instructions retired, and events delivered; inside a block, those
                        before it (cpu_icount() counts the block's too) */
    struct cpu_exception exc;

    /* interrupt and exception state (intr.c) */
    bool stop_at_exc;   /* user-mode embedding: cpu_run stops at exceptions */
    bool nmi_blocked;   /* from NMI delivery to the next IRET */
    uint8_t delivering; /* class of the event being delivered (intr.c), for #DF */
    uint8_t sys_access; /* implicit supervisor accesses (descriptor tables, TSS) */
    uint8_t exit_req;   /* enum cpu_exit a handler asked for (HLT) */
    bool tlb_large;     /* the TLB holds pieces of a large page */
    /* bits (7:0) of *events the machine can deliver only with RFLAGS.IF set, or
     * only while NMIs are not blocked: CPU_EXIT_EVENT waits for that (0: at once) */
    uint8_t events_need_if, events_need_nmi_open;
    uint64_t shadow_at;       /* icount at which an STI or MOV SS interrupt shadow holds */
    uint64_t fill_pa;         /* physical page of the last cpu_tlb_fill */
    uint64_t run_end;         /* icount at which this cpu_run's budget ends */
    uint32_t icache_cs_limit; /* the CS limit the cached blocks were checked against */
    /* the running block stops before this instruction; 0 stops it after the current one */
    uintptr_t blk_stop;
    const struct block *blk_cur; /* the block running, or NULL */
    /* odd while the vCPU may be inside a guest store (in cpu_run, cpu_interrupt,
     * cpu_nmi); +2 at every block boundary. Read by other vCPUs (block.c). */
    uint64_t qseq;

    struct cpu_bus *bus;
    struct tlb_entry tlb[CPU_TLB_SIZE];
    void *jmp[5]; /* __builtin_setjmp buffer for exceptions */
    /* SMAP (SDM Vol 3A 4.6): TLB slots of user pages a supervisor access
     * filled with EFLAGS.AC set, dropped when AC clears; more than fit: all.
     * At the end: the fields the run loop touches keep their offsets. */
    bool fill_ac_dep; /* the walk just done allowed the access only because of AC */
    uint8_t n_ac_slots;
    uint16_t ac_slots[CPU_AC_SLOTS];

    /* debugging, last so that the hot fields keep their offsets */
    const struct cpu_debug *debug; /* NULL: no debugging hooks */
    struct cpu_rip *rips;          /* the RIP history, a ring of rips_mask + 1; NULL: off */
    uint64_t rips_mask, rips_next; /* rips_next counts every entry written */

    /* the block cache (block.c), last: cpu_init does not clear the arena */
    uint64_t rip_epoch; /* 0 never: RIP cache entries from it are cleared ones */
    struct ripc_entry ripc[RIPC_SIZE];
    struct block *blk_hash[BLOCK_HASH_SIZE];
    size_t blk_used; /* bytes of the arena in use */
    _Alignas(16) uint8_t blk_arena[BLOCK_ARENA_BYTES];
};

/* reset state (SDM Vol 3A 9.1.1), on the given bus */
void cpu_init(struct cpu *c, struct cpu_bus *bus, unsigned index);

/* ---- the machine's side -----------------------------------------------------
 *
 * In a machine every vCPU has its own struct cpu_bus (opaque = that vCPU),
 * sharing ram and the split lock. Exceptions are delivered through the IDT;
 * only the user-mode embedding (cpu_set_user_mode, the differential tests)
 * stops at them with CPU_EXIT_EXCEPTION.
 *
 * cpu_run() returns CPU_EXIT_EVENT at the first instruction boundary where
 * *c->events (the LAPIC's event word, set by the machine) holds something
 * deliverable: no interrupt shadow, and not only bits that events_need_if
 * says wait for RFLAGS.IF (or events_need_nmi_open for the end of an NMI
 * handler); so a pending interrupt comes in right after the STI, POPF or
 * IRET that opens the window, as SDM Vol 3A 6.8 says. Then the
 * machine asks vcpu_next_action() (emu/vcpu_events.h) what to do, with
 * cpu_irq_flags(), and does it with the calls below.
 */

/* VCPU_IF | VCPU_SHADOW | VCPU_NMI_BLOCKED (emu/vcpu_events.h), same bits */
unsigned cpu_irq_flags(const struct cpu *c);
/* deliver external interrupt vector through the IDT now (IF=1, no shadow: checked by the caller) */
void cpu_interrupt(struct cpu *c, uint8_t vector);
/* deliver an NMI (vector 2); NMIs stay blocked until the next IRET (SDM Vol 3A 6.7.1) */
void cpu_nmi(struct cpu *c);
/* INIT: the state of SDM Vol 3A 9.1.1 Table 9-1, keeping what INIT keeps */
void cpu_init_reset(struct cpu *c);
/* STARTUP: real mode at CS = vector << 8, IP = 0 (SDM Vol 3A 9.4.4) */
void cpu_start_sipi(struct cpu *c, uint8_t vector);
/* boot-protocol entries (firmware/fw.h struct fw_entry): flat 32-bit protected
 * mode with paging off (Multiboot, PVH); 64-bit mode with paging on at cr3,
 * flat segments (Linux's 64-bit entry). General registers are the caller's. */
void cpu_enter_protected32(struct cpu *c, uint32_t eip);
void cpu_enter_long64(struct cpu *c, uint64_t rip, uint64_t cr3);

/*
 * Put the vCPU in flat 64-bit (or 32-bit compatibility, with code32) user
 * mode, as a Linux process sees it: CPL 3, flat segments, long mode.
 */
void cpu_set_user_mode(struct cpu *c, bool code32);

/* run up to budget instructions (and delivered events); stops early with the other exits */
enum cpu_exit cpu_run(struct cpu *c, uint64_t budget);

/* instructions retired (and events delivered), exact even from a bus hook inside a block */
uint64_t cpu_retired(const struct cpu *c);

/* RFLAGS with the lazy status flags folded in */
uint64_t cpu_get_rflags(const struct cpu *c);
void cpu_set_rflags(struct cpu *c, uint64_t rflags);

/* recompute c->mode after CR0, EFER or CS changes (the TLB does not depend on it);
 * a new CS base or limit drops the decoded instructions */
void cpu_update_mode(struct cpu *c);
void cpu_tlb_flush(struct cpu *c);
/* forget every decoded instruction. Needed only by an embedding that changes
 * code the codemap does not see: pages outside bus->ram (a translate hook's) */
void cpu_icache_flush(struct cpu *c);

/*
 * Debugging: the guest-physical address of lin under the vCPU's current
 * paging mode, without access checks and without touching accessed or dirty
 * bits; false if no present mapping reaches it.
 */
bool cpu_debug_translate(const struct cpu *c, uint64_t lin, uint64_t *pa);
/* the RAM byte at guest-physical pa (below or above 4 GiB), or NULL where there is none */
const uint8_t *cpu_debug_ram(const struct cpu *c, uint64_t pa);

/*
 * Decode one instruction at the current RIP without running it; returns its
 * length, or 0 with c->exc set (#UD, #GP for length, #PF on fetch).
 */
unsigned cpu_decode_length(struct cpu *c);

/*
 * The x87/MMX/SSE state as an FXSAVE image (fmt64: the REX.W format), and
 * back. The store writes bytes 0..415 and leaves the reserved and software
 * bytes 416..511 alone; MXCSR_MASK is what FXSAVE reports. The load takes
 * MXCSR as it is: whoever calls it checks the reserved bits first.
 */
void cpu_fxsave_store(const struct cpu *c, struct fxsave_area *a, bool fmt64);
void cpu_fxsave_load(struct cpu *c, const struct fxsave_area *a, bool fmt64);

#endif
