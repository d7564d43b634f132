/*
 * cpu_system_rig.h: a vCPU in a small PC-like memory for the system-side CPU
 * tests (test_cpu_system.c, test_cpu_paging.c): 2 MiB of flat RAM with a GDT
 * (ring 0 and ring 3 code and data, a TSS, a 64-bit code segment), an IDT
 * whose every vector's handler is a HLT at HANDLER + 16 * vector, a TSS with
 * a ring-0 stack, and helpers to lay out descriptors and page tables.
 */
#ifndef BAREMU_TEST_CPU_SYSTEM_RIG_H
#define BAREMU_TEST_CPU_SYSTEM_RIG_H

#include <criterion/criterion.h>
#include <string.h>

#include "emu/cpu/cpu.h"
#include "emu/vcpu_events.h"
#include "emu/x86.h"

#define RAM     (1u << 21)
#define GDT     0x1000u
#define IDT     0x2000u
#define TSS     0x3000u
#define CODE    0x10000u
#define HANDLER 0x20000u
#define USER    0x30000u
#define STACK   0x80000u
#define USTACK  0x70000u
#define ISTACK  0x90000u
#define PT      0x100000u /* page tables */

/* GDT selectors */
#define K_CODE         0x08
#define K_DATA         0x10
#define U_CODE         0x1b
#define U_DATA         0x23
#define TSS_SEL        0x28
#define K_CODE64       0x30
#define NP_DATA        0x38 /* not present */
#define U_DATA_DPL3_RO 0x40

static struct {
    struct cpu_bus bus;
    struct codemap code; /* so that code in RAM is cached, as in a machine */
    struct code_page code_pages[RAM >> 12];
    struct cpu c;
    uint8_t ram[RAM];
} m;

static inline void put(uint32_t at, const void *p, size_t n)
{
    memcpy(m.ram + at, p, n);
}
static inline void put64(uint32_t at, uint64_t v)
{
    memcpy(m.ram + at, &v, 8);
}
static inline void put32(uint32_t at, uint32_t v)
{
    memcpy(m.ram + at, &v, 4);
}
static inline uint32_t get32(uint32_t at)
{
    uint32_t v;
    memcpy(&v, m.ram + at, 4);
    return v;
}
static inline uint64_t get64(uint32_t at)
{
    uint64_t v;
    memcpy(&v, m.ram + at, 8);
    return v;
}

/* a code or data descriptor: access byte (P DPL S type) and flags nibble (G D/B L AVL) */
static inline uint64_t desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)flags << 52) |
           ((uint64_t)(base >> 24) << 56);
}

static inline void gate32(unsigned vec, uint32_t off, uint16_t sel, unsigned access)
{
    uint64_t g = (off & 0xffff) | ((uint64_t)sel << 16) | ((uint64_t)access << 40) |
                 ((uint64_t)(off >> 16) << 48);
    put64(IDT + vec * 8, g);
}

static inline void gate64(unsigned vec, uint64_t off, uint16_t sel, unsigned access, unsigned ist)
{
    uint64_t g = (off & 0xffff) | ((uint64_t)sel << 16) | ((uint64_t)ist << 32) |
                 ((uint64_t)access << 40) | ((uint64_t)((off >> 16) & 0xffff) << 48);
    put64(IDT + vec * 16, g);
    put64(IDT + vec * 16 + 8, off >> 32);
}

/* a 32-bit protected-mode machine: GDT, IDT (every vector to HANDLER + 16 * vec: HLT), TSS */
static inline struct cpu *boot32(const uint8_t *code, size_t len)
{
    memset(&m, 0, sizeof m);
    m.bus.ram = m.ram;
    m.bus.ram_size = RAM;
    m.code = (struct codemap){.page = m.code_pages, .npages = RAM >> 12};
    m.bus.code = &m.code;
    put64(GDT + K_CODE, desc(0, 0xfffff, 0x9b, 0xc));
    put64(GDT + K_DATA, desc(0, 0xfffff, 0x93, 0xc));
    put64(GDT + (U_CODE & ~3), desc(0, 0xfffff, 0xfb, 0xc));
    put64(GDT + (U_DATA & ~3), desc(0, 0xfffff, 0xf3, 0xc));
    put64(GDT + TSS_SEL, desc(TSS, 0x67, 0x89, 0));
    put64(GDT + K_CODE64, desc(0, 0xfffff, 0x9b, 0xa));
    put64(GDT + NP_DATA, desc(0, 0xfffff, 0x13, 0xc));
    put64(GDT + U_DATA_DPL3_RO, desc(0, 0xfffff, 0xf1, 0xc));
    for (unsigned v = 0; v < 256; v++) {
        gate32(v, HANDLER + 16 * v, K_CODE, 0x8e);
        m.ram[HANDLER + 16 * v] = 0xf4; /* hlt */
    }
    put32(TSS + 4, STACK);  /* esp0 */
    put32(TSS + 8, K_DATA); /* ss0 */
    put(CODE, code, len);
    struct cpu *c = &m.c;
    cpu_init(c, &m.bus, 0);
    cpu_enter_protected32(c, CODE);
    for (unsigned s = 0; s < NUM_SEGS; s++)
        c->seg[s].sel = K_DATA;
    c->seg[SEG_CS].sel = K_CODE;
    c->gdtr = (struct dtr){GDT, 0x47};
    c->idtr = (struct dtr){IDT, 256 * 8 - 1};
    c->tr = (struct seg){.base = TSS, .limit = 0x67, .sel = TSS_SEL, .attr = 0x8b};
    c->gpr[REG_RSP] = STACK;
    return c;
}

static inline enum cpu_exit run(struct cpu *c)
{
    return cpu_run(c, 1000);
}

/* the handler of vector v ran (and halted) */
static inline void assert_in_handler(struct cpu *c, unsigned v)
{
    cr_assert_eq(c->rip, HANDLER + 16 * v + 1, "rip %#llx, want handler %u",
                 (unsigned long long)c->rip, v);
}

/* run code that faults; check the vector, the error code and the EIP pushed */
static inline void expect_fault(struct cpu *c, unsigned vec, uint32_t err, uint32_t eip)
{
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, vec);
    cr_assert_eq(c->gpr[REG_RSP], STACK - 16, "a frame with an error code");
    cr_assert_eq(get32(STACK - 16), err, "error code %#x, want %#x", get32(STACK - 16), err);
    cr_assert_eq(get32(STACK - 12), eip);
}

/* 32-bit paging: identity-map the low 4 MiB with 4 KiB pages at PT */
static inline void map32(void)
{
    put32(PT, (PT + 0x1000) | PTE_P | PTE_W | PTE_U);
    for (uint32_t p = 0; p < 1024; p++)
        put32(PT + 0x1000 + p * 4, (p << 12) | PTE_P | PTE_W | PTE_U);
}

/* 4-level paging: identity map of the first 1 GiB with 2 MiB pages at PT */
static inline void map64(void)
{
    put64(PT, (PT + 0x1000) | PTE_P | PTE_W | PTE_U);
    put64(PT + 0x1000, (PT + 0x2000) | PTE_P | PTE_W | PTE_U);
    for (uint64_t p = 0; p < 512; p++)
        put64(PT + 0x2000 + p * 8, (p << 21) | PTE_P | PTE_W | PTE_U | PTE_PS);
}

/* the same machine in 64-bit mode, 16-byte gates to the 64-bit code segment */
static inline struct cpu *boot64(const uint8_t *code, size_t len)
{
    struct cpu *c = boot32(code, len);
    map64();
    for (unsigned v = 0; v < 256; v++)
        gate64(v, HANDLER + 16 * v, K_CODE64, 0x8e, 0);
    cpu_enter_long64(c, CODE, PT);
    c->seg[SEG_CS].sel = K_CODE64;
    c->idtr.limit = 256 * 16 - 1;
    c->gpr[REG_RSP] = STACK;
    return c;
}

#endif
