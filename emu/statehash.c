/*
 * emu/statehash.c: one 64-bit number for the state of a whole machine, so
 * that two runs of -deterministic can be compared at the same instruction
 * count (machine_state_hash() in emu/machine.h).
 *
 * What goes in, field by field and never as raw structs (whose padding and
 * host pointers differ between runs): all of guest RAM; for each vCPU its
 * run state, retired-instruction count and architectural registers (the
 * general registers, RIP, RFLAGS, the segment registers with their hidden
 * parts, the descriptor-table registers, CR0..CR8, EFER, the MSRs it keeps,
 * the debug registers, the x87/MMX/SSE state as its FXSAVE image, XCR0),
 * and its LAPIC's registers and timer; and the machine clock. Device models
 * other than the LAPICs are left out: what they do reaches RAM and the
 * registers, and they hold host pointers.
 *
 * The hash is xxHash's XXH64 (Debian's libxxhash-dev, header-only, seed
 * 0), fed the fields above as little-endian 64-bit words and RAM as it is.
 * It is for telling two states apart, not a cryptographic hash.
 */
#include <string.h>

#define XXH_INLINE_ALL
#define XXH_VECTOR 0 /* XXH_SCALAR: no vector intrinsics in the kernel */
#include <xxhash.h>

#include "emu/cpu/fxsave.h"
#include "emu/machine.h"

typedef XXH64_state_t hash_state;

static void mix(hash_state *h, uint64_t word)
{
    XXH64_update(h, &word, sizeof word);
}

static void mix_bytes(hash_state *h, const uint8_t *p, uint64_t len)
{
    XXH64_update(h, p, (size_t)len);
}

static void mix_seg(hash_state *h, const struct seg *s)
{
    mix(h, s->base);
    mix(h, (uint64_t)s->limit << 32 | (uint64_t)s->sel << 16 | s->attr);
}

static void mix_cpu(hash_state *h, const struct cpu *c)
{
    for (unsigned i = 0; i < NUM_GPRS; i++)
        mix(h, c->gpr[i]);
    mix(h, c->rip);
    mix(h, cpu_get_rflags(c));
    for (unsigned i = 0; i < NUM_SEGS; i++)
        mix_seg(h, &c->seg[i]);
    mix_seg(h, &c->ldtr);
    mix_seg(h, &c->tr);
    mix(h, c->gdtr.base);
    mix(h, c->gdtr.limit);
    mix(h, c->idtr.base);
    mix(h, c->idtr.limit);
    const uint64_t regs[] = {
        c->cr0,          c->cr2,
        c->cr3,          c->cr4,
        c->cr8,          c->a20_mask,
        c->efer,         c->kernel_gs_base,
        c->star,         c->lstar,
        c->cstar,        c->sfmask,
        c->sysenter_cs,  c->sysenter_esp,
        c->sysenter_eip, c->tsc_aux,
        c->pat,          c->apic_base,
        c->misc_enable,  c->tsc_offset,
        c->tsc_adjust,   c->xcr0,
        c->mode,         c->cpl,
        c->nmi_blocked,  c->shadow_at == c->icount,
        c->icount,
    };
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++)
        mix(h, regs[i]);
    for (unsigned i = 0; i < 8; i++)
        mix(h, c->dr[i]);
    struct fxsave_area fx;
    memset(&fx, 0, sizeof fx);
    cpu_fxsave_store(c, &fx, true);
    mix_bytes(h, (const uint8_t *)&fx, sizeof fx);
}

static void mix_lapic(hash_state *h, const struct lapic *l)
{
    for (unsigned i = 0; i < 8; i++) {
        mix(h, (uint64_t)l->irr[i] << 32 | l->isr[i]);
        mix(h, l->tmr[i]);
    }
    for (unsigned i = 0; i < LVT_COUNT; i++)
        mix(h, l->lvt[i]);
    const uint64_t regs[] = {
        l->events & ~LAPIC_EV_MACHINE, /* the machine's own requests are not guest state */
        l->esr_pending,
        l->lint_asserted,
        l->apic_base,
        l->id,
        l->ldr,
        l->dfr,
        l->svr,
        l->tpr,
        l->esr,
        l->icr_lo,
        l->icr_hi,
        l->timer_initial,
        l->timer_dcr,
        l->timer_start,
        l->timer_start_count,
        l->timer_next,
        l->tsc_deadline,
    };
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++)
        mix(h, regs[i]);
}

uint64_t machine_state_hash(const struct machine *m)
{
    hash_state st, *h = &st;
    XXH64_reset(h, 0);
    mix_bytes(h, m->ram.low, m->ram.low_size);
    if (m->ram.high)
        mix_bytes(h, m->ram.high, m->ram.high_size);
    for (unsigned i = 0; i < m->cfg.ncpus; i++) {
        const struct vcpu *v = &m->vcpus[i];
        mix(h, (uint64_t)v->state << 1 | v->shut_down);
        mix_cpu(h, &v->cpu);
        mix_lapic(h, &m->pc.lapic[i]);
    }
    mix(h, clock_now(&m->clock));
    return XXH64_digest(h);
}
