/*
 * tests/diff/diff.h: the differential oracle. A case is a short sequence of
 * user-mode instructions with an initial register file; it runs natively on
 * the host CPU (native.c) and in the interpreter (interp.c), and the final
 * states are compared (main.c). docs/testing.md and docs/cpu.md describe it.
 */
#ifndef BAREMU_DIFF_H
#define BAREMU_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/cpu/fxsave.h"

/* the fixed user address space a case sees (below 4 GiB, for 32-bit mode too) */
#define DIFF_CODE_VA   0x10000000ull /* one page, read and execute */
#define DIFF_GUARD_LO  0x1000f000ull /* never mapped */
#define DIFF_DATA_VA   0x10010000ull /* DIFF_DATA_SIZE bytes, read and write */
#define DIFF_DATA_SIZE 0x2000u
#define DIFF_GUARD_HI  0x10012000ull /* never mapped */
#define DIFF_PAGE      0x1000u
#define DIFF_CODE_MAX  192 /* case bytes; an INT3 follows them */
#define DIFF_NAME_MAX  48
#define DIFF_MAX_INSNS 24

/*
 * 16-bit code runs in LDT segments: code at DIFF_CODE_VA, data, stack and
 * ES at DIFF_DATA_VA, both with a 64 KiB limit; registers hold offsets.
 */
#define DIFF_CODE16_SEL 0x07 /* LDT entry 0, RPL 3 */
#define DIFF_DATA16_SEL 0x0f /* LDT entry 1, RPL 3 */

struct diff_case {
    char name[DIFF_NAME_MAX];
    uint8_t code[DIFF_CODE_MAX];
    unsigned code_len;
    bool code32; /* not 64-bit: 32-bit compatibility mode (CS 0x23)... */
    bool code16; /* ...or 16-bit code (the LDT segments below) */
    uint64_t regs[16];
    uint64_t rflags;
    uint64_t data_seed; /* the data pages are diff_fill_data(seed) */
    /*
     * The x87, MMX and SSE state on entry, as an FXSAVE image in the 64-bit
     * format (bytes 0..415; the rest is ignored). MXCSR must be valid.
     */
    struct fxsave_area fpu;
    bool fp; /* the case uses the FPU: failures show its registers */
    /*
     * The case ends with an approximation (RCPPS, RSQRTSS, ...), whose bits
     * differ between vendors: the low approx_lanes singles of XMM
     * approx_reg are compared within the SDM's error bound (main.c).
     */
    uint8_t approx_lanes, approx_reg;
    /* the case ends with an x87 transcendental: ST(0) and ST(1) may differ in
     * the last bit from the host's, and C1 with them (docs/cpu-divergences.md) */
    bool fp_approx;
    uint32_t undef_flags; /* status flags the SDM leaves undefined at the end */
    /*
     * A case may fault part-way: undef_at[k] are the flags undefined when
     * instruction k (at code offset start[k]) begins; k = ninsn is the end.
     */
    unsigned ninsn;
    uint16_t start[DIFF_MAX_INSNS + 1];
    uint32_t undef_at[DIFF_MAX_INSNS + 1];
};

struct diff_result {
    uint64_t regs[16];
    uint64_t rip;
    uint64_t rflags;
    int vector; /* the exception that ended the run; 3 (#BP) for the final INT3 */
    uint64_t error;
    uint64_t cr2;
    bool done;              /* native: the child reached the end of this case */
    struct fxsave_area fpu; /* the final x87/MMX/SSE state, 64-bit format */
    uint8_t data[DIFF_DATA_SIZE];
};

void diff_fill_data(uint8_t *data, uint64_t seed);
uint64_t diff_rand(uint64_t *state); /* splitmix64 */

/* random floating-point values, specials favoured (fpu.c) */
uint32_t diff_rand_f32(uint64_t *rng);
uint64_t diff_rand_f64(uint64_t *rng);
void diff_rand_f80(uint64_t *rng, uint64_t *mant, uint16_t *se);
/* the x87/MMX/SSE state after FNINIT with MXCSR 1F80H, everything else zero */
void diff_fpu_default(struct fxsave_area *a);
/* a random state: x87 registers, tags, TOP, FCW, MXCSR modes, XMM values */
void diff_fpu_random(struct fxsave_area *a, uint64_t *rng);

/* run cases[0..n) natively in forked children; marks results[k].done */
void diff_run_native(const struct diff_case *cases, struct diff_result *results, unsigned n);
/* run one case in the interpreter */
void diff_run_interp(const struct diff_case *dc, struct diff_result *r);
/* the host reads CMPS's ES:rDI operand first (main.c asks it); the interpreter follows */
extern bool diff_host_cmps_dst_first;
/* the host's FXSAVE stores the x87 pointers only with FSW.ES (AMD); its XCR0 */
extern bool diff_host_fpu_ptrs_es_only;
extern bool diff_host_save_area_seg_first; /* struct cpu_features.save_area_seg_first */
extern uint32_t diff_host_mxcsr_mask;
extern uint64_t diff_host_xcr0;

/* hand-written cases (cases.c) and the random generator (gen.c) */
unsigned diff_hand_cases(struct diff_case *out, unsigned max, bool code32);
void diff_gen_case(struct diff_case *dc, uint64_t *rng, bool code32, unsigned index);

#endif
