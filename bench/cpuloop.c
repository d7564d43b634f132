/*
 * bench/cpuloop.c: a micro-benchmark of the interpreter's hot path. A
 * 64-bit guest loop of loads, stores, ALU, shifts, IMUL, a call and a
 * conditional branch runs for N instructions; the figure is guest MIPS.
 * Not the issue-4 suite (bench/cpu.md, against Bochs and QEMU): a quick
 * gauge for `valgrind --tool=callgrind build/bench/cpuloop 2000000`.
 *
 *   build/bench/cpuloop [N]     default 200000000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/cpu/cpu.h"
#include "emu/x86.h"

#define RAM_SIZE (1u << 20)
#define CODE     0x1000u
#define DATA     0x10000u
#define STACK    0x80000u

static const uint8_t loop[] = {
    0x48, 0x8b, 0x04, 0xcf,                   /* 0: mov rax, [rdi+rcx*8] */
    0x48, 0x01, 0xc8,                         /*    add rax, rcx */
    0x48, 0x31, 0xc2,                         /*    xor rdx, rax */
    0x48, 0xc1, 0xe0, 0x03,                   /*    shl rax, 3 */
    0x48, 0x89, 0x04, 0xcf,                   /*    mov [rdi+rcx*8], rax */
    0x48, 0x6b, 0xd2, 0x0d,                   /*    imul rdx, rdx, 13 */
    0xe8, 0x10, 0x00, 0x00, 0x00,             /*    call f */
    0x48, 0xff, 0xc1,                         /*    inc rcx */
    0x48, 0x81, 0xe1, 0xff, 0x00, 0x00, 0x00, /*    and rcx, 255 */
    0x48, 0xff, 0xce,                         /*    dec rsi */
    0x75, 0xd6,                               /*    jnz 0 */
    0xcc,                                     /*    int3 */
    0x49, 0x83, 0xc0, 0x01,                   /* f: add r8, 1 */
    0xc3,                                     /*    ret */
};

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000000ull;
    static uint8_t ram[RAM_SIZE];
    static struct code_page code_pages[RAM_SIZE >> X86_PAGE_SHIFT];
    memcpy(ram + CODE, loop, sizeof loop);
    struct codemap code = {.page = code_pages, .npages = RAM_SIZE >> X86_PAGE_SHIFT};
    struct cpu_bus bus = {.ram = ram, .ram_size = RAM_SIZE, .code = &code};
    static struct cpu c;
    cpu_init(&c, &bus, 0);
    cpu_set_user_mode(&c, false);
    c.rip = CODE;
    c.gpr[REG_RSP] = STACK;
    c.gpr[REG_RDI] = DATA;
    c.gpr[REG_RSI] = ~0ull >> 1;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum cpu_exit e = cpu_run(&c, n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (e != CPU_EXIT_BUDGET) {
        fprintf(stderr, "cpuloop: stopped by vector %u at %#llx\n", c.exc.vector,
                (unsigned long long)c.rip);
        return 1;
    }
    printf("cpuloop: %llu instructions in %.3f s: %.1f MIPS (r8 %llu)\n",
           (unsigned long long)c.icount, s, (double)c.icount / s / 1e6,
           (unsigned long long)c.gpr[REG_R8]);
    return 0;
}
