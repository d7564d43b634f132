/*
 * cpu_harness.h: a vCPU on a small RAM bus for the CPU unit tests. Code goes
 * at CODE, the stack at STACK; without a translate hook linear addresses are
 * physical, so this is flat memory in 64-bit (or 32-bit) user mode.
 */
#ifndef BAREMU_TEST_CPU_HARNESS_H
#define BAREMU_TEST_CPU_HARNESS_H

#include <stdint.h>
#include <string.h>

#include "emu/cpu/cpu.h"
#include "emu/x86.h"

#define RAM_SIZE 0x10000u
#define CODE     0x1000u
#define DATA     0x4000u
#define STACK    0x8000u

struct harness {
    struct cpu_bus bus;
    struct codemap code; /* so that code in RAM is cached, as in a machine */
    struct code_page code_pages[RAM_SIZE >> 12];
    struct cpu c;
    uint8_t ram[RAM_SIZE];
};

/* a cleared harness whose bus has the RAM and its code map */
static inline void harness_bus(struct harness *h)
{
    memset(h, 0, sizeof *h);
    h->bus.ram = h->ram;
    h->bus.ram_size = RAM_SIZE;
    h->code = (struct codemap){.page = h->code_pages, .npages = RAM_SIZE >> 12};
    h->bus.code = &h->code;
}

/* a vCPU with code at CODE, followed by INT3 */
static inline struct cpu *harness_load(struct harness *h, const uint8_t *code, size_t len,
                                       bool code32)
{
    harness_bus(h);
    memset(h->ram + CODE, 0xcc, 0x100);
    memcpy(h->ram + CODE, code, len);
    cpu_init(&h->c, &h->bus, 0);
    cpu_set_user_mode(&h->c, code32);
    h->c.rip = CODE;
    h->c.gpr[REG_RSP] = STACK;
    cpu_set_rflags(&h->c, RFLAGS_IF);
    return &h->c;
}

/* run to the final INT3 or the first other exception; the vector it stopped on */
static inline int harness_run(struct cpu *c)
{
    if (cpu_run(c, 1000) != CPU_EXIT_EXCEPTION)
        return -1;
    return c->exc.vector;
}

#endif
