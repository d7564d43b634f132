/*
 * emu/cpu/insn.h: a decoded instruction, as the decoder leaves it for its
 * handler and the decoded-instruction cache keeps it. Part of struct cpu;
 * nothing outside emu/cpu/ looks inside.
 */
#ifndef BAREMU_CPU_INSN_H
#define BAREMU_CPU_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;
struct insn;
typedef void (*insn_fn)(struct cpu *c, const struct insn *i);

/* prefixes seen (insn.pfx) */
#define PFX_LOCK  0x01
#define PFX_REP   0x02 /* F3 */
#define PFX_REPNE 0x04 /* F2 */
#define PFX_OSZ   0x08 /* 66 */
#define PFX_ASZ   0x10 /* 67 */
#define PFX_REX   0x20 /* a REX prefix applies */
#define PFX_SEG   0x40 /* a segment override */

/* no base or index register */
#define EA_NONE 0xff
/* RIP-relative: base is the next instruction's address */
#define EA_RIP 0xfe

/* a decoded instruction: everything a handler needs, nothing it must recompute */
struct insn {
    insn_fn fn;
    uint64_t imm; /* immediate, sign- or zero-extended per opcode; moffs */
    int32_t disp;
    uint16_t imm2; /* ENTER's second immediate */
    uint8_t len;
    uint8_t osz;                /* operand size in bytes: 1, 2, 4, 8 */
    uint8_t asz;                /* address size in bytes: 2, 4, 8 */
    uint8_t seg;                /* segment of the memory operand */
    uint8_t pfx;                /* PFX_* */
    uint8_t op;                 /* the last opcode byte */
    uint8_t mod;                /* ModRM.mod; 3 means the r/m operand is a register */
    uint8_t reg;                /* ModRM.reg with REX.R */
    uint8_t rm;                 /* ModRM.rm with REX.B */
    uint8_t base, index, scale; /* EA_NONE, EA_RIP, or a register; scale is a shift */
    uint8_t rex;
    /* base and index again as indices of cpu->xgpr (EA_X_ZERO for none, EA_X_NEXT_RIP),
     * and 64 - 8 * asz: what cpu_ea needs to add them up without a branch */
    uint8_t xbase, xindex, ea_shift;
    uint8_t oreg; /* the register in the opcode's low bits, with REX.B (50+r, B8+r, ...) */
};

_Static_assert(sizeof(struct insn) == 40, "blocks hold many of these: keep them small");

#define EA_X_ZERO     16 /* cpu->xgpr[16] is always 0 */
#define EA_X_NEXT_RIP 17 /* cpu->xgpr[17] is cpu->next_rip */

/*
 * A block: the decoded instructions that follow each other from one start,
 * inside one page, through not-taken conditional branches and into the
 * targets of direct JMPs and CALLs in the same page (block.c, docs/cpu.md
 * "Blocks"). Keyed by the host address
 * of its first byte (guest RAM is one host block, so that is the physical
 * address), the mode and RIP; valid while its page's generation in the
 * codemap is the one it was decoded under.
 */
#define BLOCK_MAX_INSNS   32
#define BLOCK_HASH_BITS   12
#define BLOCK_HASH_SIZE   (1u << BLOCK_HASH_BITS)
#define BLOCK_ARENA_BYTES (384u << 10)
/*
 * The RIP cache: the block last run at a RIP, while nothing that could put
 * another block there (a TLB flush or INVLPG, a new CS or mode, a flush of
 * the block cache) has moved cpu->rip_epoch. It saves the TLB and hash
 * lookup of the page; a block found here still has its generation checked.
 */
#define RIPC_BITS 10
#define RIPC_SIZE (1u << RIPC_BITS)
struct ripc_entry {
    uint64_t rip, epoch;
    const struct block *b;
};

/* what follows instruction k of a block: RIP after it, and where the block goes on */
struct block_next {
    uint64_t next; /* next_rip as the handler starts: RIP + length, wrapped */
    uint64_t cont; /* the next instruction of the block: next, or a JMP's or CALL's target */
};

struct code_page;
struct block {
    uintptr_t host;               /* host address of the first byte; 0: no block */
    uint64_t rip;                 /* RIP of the first instruction */
    const struct code_page *code; /* its page in the codemap (block.c's own if untracked) */
    uint64_t gen;                 /* the page's generation when decoded (code->gen >> 1) */
    uint8_t mode;                 /* enum cpu_mode */
    uint8_t n;                    /* instructions, 1..BLOCK_MAX_INSNS */
    bool kept;                    /* in the cache (not a one-off: uncached code) */
    struct insn insn[];           /* n of them, then n struct block_next */
};

static inline const struct block_next *block_nexts(const struct block *b)
{
    return (const struct block_next *)&b->insn[b->n];
}

#endif
