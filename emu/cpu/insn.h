/*
 * emu/cpu/insn.h: a decoded instruction, as the decoder leaves it for its
 * handler and the decoded-instruction cache keeps it. Part of struct cpu;
 * nothing outside emu/cpu/ looks inside.
 */
#ifndef BAREMU_CPU_INSN_H
#define BAREMU_CPU_INSN_H

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
};

/*
 * The decoded-instruction cache: direct-mapped by linear address. An entry
 * holds the instruction's bytes and is used only when memory still holds
 * the same bytes, so code written by any vCPU is seen at once (no write
 * tracking needed for correctness). Instructions that cross a page are not
 * cached.
 */
#define ICACHE_BITS 10
#define ICACHE_SIZE (1u << ICACHE_BITS)
struct icache_entry {
    uint64_t key;      /* linear address << 2 | mode (injective for canonical addresses) */
    uint64_t bytes[2]; /* the instruction's bytes, zero beyond its length */
    struct insn insn;
};
_Static_assert(sizeof(struct icache_entry) == 64, "one cache line per cached instruction");

#endif
