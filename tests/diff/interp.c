/*
 * tests/diff/interp.c: run a case in the interpreter, in the same user
 * address space the native child has: the code page (read-only), the data
 * pages, and nothing else. The bus's translate hook stands in for paging.
 */
#include <string.h>

#include "emu/cpu/cpu.h"
#include "emu/x86.h"
#include "tests/diff/diff.h"

#define INTERP_BUDGET 100000

bool diff_host_cmps_dst_first;
bool diff_host_fpu_ptrs_es_only;
bool diff_host_save_area_seg_first;
uint32_t diff_host_mxcsr_mask = MXCSR_MASK_VALUE;
uint64_t diff_host_xcr0 = XCR0_X87 | XCR0_SSE;

struct space {
    uint8_t code[DIFF_PAGE];
    uint8_t data[DIFF_DATA_SIZE];
};

static uint8_t *translate(void *opaque, uint64_t lin, unsigned *perm)
{
    struct space *s = opaque;
    if (lin == DIFF_CODE_VA) {
        *perm = CPU_PERM_X;
        return s->code;
    }
    if (lin >= DIFF_DATA_VA && lin < DIFF_DATA_VA + DIFF_DATA_SIZE) {
        *perm = CPU_PERM_W; /* no-execute, as Linux maps data */
        return s->data + (lin - DIFF_DATA_VA);
    }
    return NULL;
}

void diff_run_interp(const struct diff_case *dc, struct diff_result *r)
{
    static struct space s;
    memset(s.code, 0xcc, sizeof s.code);
    memcpy(s.code, dc->code, dc->code_len);
    diff_fill_data(s.data, dc->data_seed);

    struct cpu_bus bus = {.translate = translate, .opaque = &s};
    static struct cpu c;
    cpu_init(&c, &bus, 0);
    cpu_set_user_mode(&c, dc->code32);
    if (dc->code16) {
        /* the LDT segments native.c installs: 16-bit code and data, 64 KiB each */
        const uint16_t base =
            SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_DPL | SEG_TYPE_ACCESSED | SEG_TYPE_WRITABLE;
        for (unsigned k = 0; k < NUM_SEGS; k++)
            c.seg[k] = (struct seg){
                .base = DIFF_DATA_VA, .limit = 0xffff, .sel = DIFF_DATA16_SEL, .attr = base};
        c.seg[SEG_CS] = (struct seg){.base = DIFF_CODE_VA,
                                     .limit = 0xffff,
                                     .sel = DIFF_CODE16_SEL,
                                     .attr = base | SEG_TYPE_CODE};
        c.seg[SEG_FS] = c.seg[SEG_GS] = (struct seg){0}; /* null */
        cpu_update_mode(&c);
    }
    c.feat.tzcnt = __builtin_cpu_supports("bmi");
    c.feat.cmps_dst_first = diff_host_cmps_dst_first;
    c.feat.fpu_ptrs_es_only = diff_host_fpu_ptrs_es_only;
    c.feat.save_area_seg_first = diff_host_save_area_seg_first;
    c.feat.mxcsr_mask = diff_host_mxcsr_mask;
    /*
     * A Linux process runs with CR4.OSXSAVE and the host's XCR0, which
     * XGETBV shows and XRSTOR checks XSTATE_BV against. Cases give XSAVE and
     * XRSTOR an EDX:EAX of x87 and SSE only, so nothing else is touched.
     */
    c.cr4 |= CR4_OSXSAVE;
    c.xcr0 = diff_host_xcr0;
    for (int k = 0; k < 16; k++)
        c.gpr[k] = dc->regs[k];
    c.rip = dc->code16 ? 0 : DIFF_CODE_VA;
    cpu_set_rflags(&c, dc->rflags);
    cpu_fxsave_load(&c, &dc->fpu, true);

    enum cpu_exit e = cpu_run(&c, INTERP_BUDGET);
    r->vector = e == CPU_EXIT_EXCEPTION ? c.exc.vector : -1;
    r->error = c.exc.error;
    r->cr2 = c.exc.cr2;
    for (int k = 0; k < 16; k++)
        r->regs[k] = c.gpr[k];
    r->rip = c.rip;
    r->rflags = cpu_get_rflags(&c);
    memcpy(r->data, s.data, DIFF_DATA_SIZE);
    memset(&r->fpu, 0, sizeof r->fpu);
    cpu_fxsave_store(&c, &r->fpu, true);
    r->done = true;
}
