/*
 * emu/cpu/io.c: port I/O and the interrupt flag (SDM Vol 1 chapter 19, "Input/
 * Output"; Vol 2A IN, OUT, CLI, STI). In protected mode a CPL above IOPL
 * needs the TSS I/O permission bitmap (19.5.2). The user-mode embedding has
 * no TSS: there such accesses are #GP(0), as they are for Linux user code.
 */
#include "emu/cpu/internal.h"

/* may this vCPU touch size bytes of ports from port? raises #GP(0) if not */
#define TSS_IOMAP_BASE 0x66 /* offset of the I/O map base in a 32-bit or 64-bit TSS */

void cpu_io_check(struct cpu *c, uint16_t port, unsigned size)
{
    if (c->mode == MODE_REAL)
        return;
    unsigned iopl = (c->rflags & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
    if (c->cpl <= iopl && !(c->rflags & RFLAGS_VM))
        return;
    /* every bit for the ports accessed must be 0, inside the TSS limit (19.5.2) */
    if (c->stop_at_exc || (c->tr.attr & SEG_ATTR_TYPE & ~2u) != DESC_TSS_AVAIL ||
        TSS_IOMAP_BASE + 1 > c->tr.limit)
        cpu_gp0(c);
    uint32_t at = (uint32_t)sys_read(c, c->tr.base + TSS_IOMAP_BASE, 2) + port / 8;
    if (at + 1 > c->tr.limit)
        cpu_gp0(c);
    uint32_t bits = (uint32_t)sys_read(c, c->tr.base + at, 2) >> (port & 7);
    if (bits & ((1u << size) - 1))
        cpu_gp0(c);
}

uint32_t cpu_io_in(struct cpu *c, uint16_t port, unsigned size)
{
    if (!c->bus->io_in)
        return (uint32_t)size_mask(size);
    return c->bus->io_in(c->bus->opaque, port, size) & (uint32_t)size_mask(size);
}

void cpu_io_out(struct cpu *c, uint16_t port, unsigned size, uint32_t v)
{
    if (c->bus->io_out) {
        c->bus->io_out(c->bus->opaque, port, v & (uint32_t)size_mask(size), size);
        cpu_map_sync(c); /* the write may have changed the map (A20, PAM) */
    }
}

/* I/O is 8, 16 or 32 bits wide: REX.W does not make it 64 */
static unsigned io_size(const struct insn *i)
{
    return i->osz == 8 ? 4 : i->osz;
}

/* E4, E5 (port imm8) and EC, ED (port DX) */
HANDLER(op_in)
{
    unsigned size = io_size(i);
    uint16_t port = (i->op & 8) ? (uint16_t)c->gpr[REG_RDX] : (uint16_t)i->imm;
    cpu_io_check(c, port, size);
    gpr_write(c, REG_RAX, size, cpu_io_in(c, port, size));
}

/* E6, E7 and EE, EF */
HANDLER(op_out)
{
    unsigned size = io_size(i);
    uint16_t port = (i->op & 8) ? (uint16_t)c->gpr[REG_RDX] : (uint16_t)i->imm;
    cpu_io_check(c, port, size);
    cpu_io_out(c, port, size, (uint32_t)c->gpr[REG_RAX]);
}

/* FA, FB: no VME/PVI virtual interrupt flag yet */
static void if_check(struct cpu *c)
{
    unsigned iopl = (c->rflags & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
    if (c->mode != MODE_REAL && c->cpl > iopl)
        cpu_gp0(c);
}

HANDLER(op_cli)
{
    (void)i;
    if_check(c);
    c->rflags &= ~(uint64_t)RFLAGS_IF;
}

HANDLER(op_sti)
{
    (void)i;
    if_check(c);
    /* interrupts wait until after the next instruction (SDM Vol 3A 6.8.3) */
    if (!(c->rflags & RFLAGS_IF))
        c->shadow_at = c->icount + 1;
    c->rflags |= RFLAGS_IF;
}
