/*
 * test_cpu_blocks.c: the block cache's invalidation rules (docs/cpu.md
 * "Blocks", "Code pages"). Code that is written, by the instruction before
 * it, by another vCPU (through a TLB write tag it had before the page became
 * code, or without one), through another linear alias, by the host, or that
 * is remapped by INVLPG or a CR3 load, runs as it is now. SDM Vol 3A 9.1.3.
 * DMA by virtio-blk is in test_virtio_blk.c.
 */
#include <pthread.h>
#include <sched.h>

#include "cpu_system_rig.h"

/* ---- two vCPUs in flat 64-bit user mode, sharing 64 KiB of RAM ----------------- */

#define R_RAM 0x10000u

static struct {
    struct cpu_bus bus;
    struct codemap code;
    struct code_page code_pages[R_RAM >> 12];
    struct cpu *list[2];
    struct cpu c[2];
    uint8_t ram[R_RAM];
} r;

static void two_cpus(void)
{
    memset(&r, 0, sizeof r);
    r.list[0] = &r.c[0];
    r.list[1] = &r.c[1];
    r.code =
        (struct codemap){.page = r.code_pages, .npages = R_RAM >> 12, .cpus = r.list, .ncpus = 2};
    r.bus = (struct cpu_bus){.ram = r.ram, .ram_size = R_RAM, .code = &r.code};
    for (unsigned k = 0; k < 2; k++) {
        cpu_init(&r.c[k], &r.bus, k);
        cpu_set_user_mode(&r.c[k], false);
        r.c[k].gpr[REG_RSP] = 0x8000 + 0x1000 * k;
    }
}

static void rput(uint32_t at, const void *p, size_t n)
{
    memcpy(r.ram + at, p, n);
}

/* run vCPU k at rip to its INT3 */
static void run_to_int3(unsigned k, uint64_t rip)
{
    struct cpu *c = &r.c[k];
    c->rip = rip;
    cr_assert_eq(cpu_run(c, 1000), CPU_EXIT_EXCEPTION);
    cr_assert_eq(c->exc.vector, VEC_BP, "vCPU %u stopped by vector %u at %#llx", k, c->exc.vector,
                 (unsigned long long)c->rip);
}

static const uint8_t mov_eax_1[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xcc}; /* mov eax, 1; int3 */
/* mov [0x1001], dl; int3: rewrites mov_eax_1's immediate at 0x1000 */
static const uint8_t poke_1001[] = {0x88, 0x14, 0x25, 0x01, 0x10, 0x00, 0x00, 0xcc};

Test(cpu_blocks, another_vcpu_loses_its_write_tag_when_the_page_becomes_code)
{
    two_cpus();
    rput(0x1000, mov_eax_1, sizeof mov_eax_1);
    rput(0x2000, poke_1001, sizeof poke_1001);
    r.c[1].gpr[REG_RDX] = 1;
    run_to_int3(1, 0x2000); /* vCPU 1 writes the page while it is data: a write tag */
    run_to_int3(0, 0x1000); /* vCPU 0 decodes it: now it is code */
    cr_assert_eq(r.c[0].gpr[REG_RAX], 1);
    r.c[1].gpr[REG_RDX] = 2;
    run_to_int3(1, 0x2000); /* through the TLB entry it had: must be seen */
    run_to_int3(0, 0x1000);
    cr_assert_eq(r.c[0].gpr[REG_RAX], 2, "vCPU 0 ran the code vCPU 1 wrote");
}

Test(cpu_blocks, a_write_from_another_vcpu_is_seen)
{
    two_cpus();
    rput(0x1000, mov_eax_1, sizeof mov_eax_1);
    rput(0x2000, poke_1001, sizeof poke_1001);
    run_to_int3(0, 0x1000);
    cr_assert_eq(r.c[0].gpr[REG_RAX], 1);
    r.c[1].gpr[REG_RDX] = 3;
    run_to_int3(1, 0x2000);
    run_to_int3(0, 0x1000);
    cr_assert_eq(r.c[0].gpr[REG_RAX], 3);
}

Test(cpu_blocks, data_next_to_code_does_not_invalidate_it)
{
    two_cpus();
    rput(0x1000, mov_eax_1, sizeof mov_eax_1);
    /* mov [0x1800], dl; int3 */
    const uint8_t poke_data[] = {0x88, 0x14, 0x25, 0x00, 0x18, 0x00, 0x00, 0xcc};
    rput(0x2000, poke_data, sizeof poke_data);
    run_to_int3(0, 0x1000);
    struct code_page before = r.code_pages[1];
    cr_assert(before.chunks, "the page is code");
    r.c[1].gpr[REG_RDX] = 0x77;
    run_to_int3(1, 0x2000);
    cr_assert_eq(r.code_pages[1].chunks, before.chunks, "the same code chunks");
    cr_assert_eq(r.code_pages[1].gen >> 1, before.gen >> 1, "the same generation");
    cr_assert_eq(r.ram[0x1800], 0x77);
}

Test(cpu_blocks, a_write_by_the_host_is_seen_once_reported)
{
    two_cpus();
    rput(0x1000, mov_eax_1, sizeof mov_eax_1);
    run_to_int3(0, 0x1000);
    r.ram[0x1001] = 4;
    cr_assert(codemap_written(&r.code, 0x1001, 1));
    cr_assert_not(codemap_written(&r.code, 0x1001, 1), "no code there any more");
    run_to_int3(0, 0x1000);
    cr_assert_eq(r.c[0].gpr[REG_RAX], 4);
}

Test(cpu_blocks, the_next_instruction_rewritten_by_this_one)
{
    two_cpus();
    /* mov byte [rip+1], 5 (the immediate of the next instruction); mov eax, 1; int3 */
    const uint8_t code[] = {0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x05,
                            0xb8, 0x01, 0x00, 0x00, 0x00, 0xcc};
    rput(0x1000, code, sizeof code);
    run_to_int3(0, 0x1000);
    cr_assert_eq(r.c[0].gpr[REG_RAX], 5, "the block did not go on with what it had decoded");
}

/*
 * The cross-modifying-code protocol (SDM Vol 3A 9.1.3), on two host threads.
 * vCPU 1 patches the immediate of "mov eax, imm; ret" at 0x2000, writes data
 * into the same page (so that its TLB maps it writable again), and raises a
 * flag; vCPU 0 waits for the flag, executes CPUID, calls the patched code
 * and posts what it returned. Every round must return the new value.
 */
#define XMC_ROUNDS 500

static void *xmc_thread(void *arg)
{
    struct cpu *c = arg;
    /* short runs, yielding between: the machine may have fewer cores than threads */
    while (cpu_run(c, 2000) == CPU_EXIT_BUDGET)
        sched_yield();
    return NULL;
}

Test(cpu_blocks, cross_modifying_code_between_threads, .timeout = 60)
{
    two_cpus();
    const uint8_t waiter[] = {
        0x8b, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00,             /* 0: mov eax, [flag] */
        0x85, 0xc0,                                           /* 7: test eax, eax */
        0x74, 0xf5,                                           /* 9: jz 0 */
        0x3d, 0xff, 0xff, 0xff, 0xff,                         /* 11: cmp eax, -1 */
        0x74, 0x1b,                                           /* 16: je 45 */
        0x0f, 0xa2,                                           /* 18: cpuid */
        0xe8, 0xe7, 0x0f, 0x00, 0x00,                         /* 20: call 0x2000 */
        0x89, 0x04, 0x25, 0x04, 0x30, 0x00, 0x00,             /* 25: mov [result], eax */
        0xc7, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00, 0, 0, 0, 0, /* 32: mov dword [flag], 0 */
        0xeb, 0xd3,                                           /* 43: jmp 0 */
        0xcc,                                                 /* 45: int3 */
    };
    const uint8_t patched[] = {0xb8, 0x00, 0x00, 0x00, 0x00, 0xc3}; /* mov eax, imm; ret */
    const uint8_t patcher[] = {
        0xb9, 0x01, 0x00, 0x00, 0x00,                                  /* 0: mov ecx, 1 */
        0x89, 0x0c, 0x25, 0x01, 0x20, 0x00, 0x00,                      /* 5: mov [0x2001], ecx */
        0x89, 0x0c, 0x25, 0x00, 0x28, 0x00, 0x00,                      /* 12: mov [0x2800], ecx */
        0xc7, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00, 1,    0,    0,    0, /* 19: mov dword [flag], 1 */
        0x8b, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00,                      /* 30: mov eax, [flag] */
        0x85, 0xc0,                                                    /* 37: test eax, eax */
        0x75, 0xf5,                                                    /* 39: jnz 30 */
        0x8b, 0x04, 0x25, 0x04, 0x30, 0x00, 0x00,                      /* 41: mov eax, [result] */
        0x39, 0xc8,                                                    /* 48: cmp eax, ecx */
        0x75, 0x13,                                                    /* 50: jne 71 */
        0xff, 0xc1,                                                    /* 52: inc ecx */
        0x44, 0x39, 0xc9,                                              /* 54: cmp ecx, r9d */
        0x76, 0xca,                                                    /* 57: jbe 5 */
        0xc7, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, /* 59: flag = -1 */
        0xcc,                                                             /* 70: int3: done */
        0xc7, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, /* 71: wrong: */
        0xcc,                                                             /* 82: flag = -1 */
    };
    rput(0x1000, waiter, sizeof waiter);
    rput(0x2000, patched, sizeof patched);
    rput(0x4000, patcher, sizeof patcher);
    r.c[0].rip = 0x1000;
    r.c[1].rip = 0x4000;
    r.c[1].gpr[REG_R9] = XMC_ROUNDS;
    pthread_t t[2];
    for (unsigned k = 0; k < 2; k++)
        cr_assert_eq(pthread_create(&t[k], NULL, xmc_thread, &r.c[k]), 0);
    for (unsigned k = 0; k < 2; k++)
        pthread_join(t[k], NULL);
    cr_assert_eq(r.c[0].exc.vector, VEC_BP);
    cr_assert_eq(r.c[1].exc.vector, VEC_BP);
    cr_assert_eq(r.c[1].rip, 0x4000 + 71, "round %llu returned %llu",
                 (unsigned long long)r.c[1].gpr[REG_RCX], (unsigned long long)r.c[1].gpr[REG_RAX]);
    cr_assert_eq(r.c[1].gpr[REG_RCX], XMC_ROUNDS + 1);
}

/* ---- paging: aliases and remaps (the system rig, 64-bit mode) ------------------- */

#define PTE_PWU (PTE_P | PTE_W | PTE_U)

Test(cpu_blocks, a_write_through_another_linear_alias_is_seen)
{
    /*
     * 0: mov eax, 1; 5: mov byte [0x40010001], 2 (the same physical byte as
     * CODE + 1, through the alias at 1 GiB); 13: dec ecx; 15: jnz 0; 17: hlt
     */
    const uint8_t code[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc6, 0x04, 0x25, 0x01,
                            0x00, 0x01, 0x40, 0x02, 0xff, 0xc9, 0x75, 0xef, 0xf4};
    struct cpu *c = boot64(code, sizeof code);
    put64(PT + 0x1000 + 8, (PT + 0x3000) | PTE_PWU); /* PDPT[1] */
    put64(PT + 0x3000, 0 | PTE_PWU | PTE_PS);        /* 1 GiB + x -> x */
    c->gpr[REG_RCX] = 2;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RAX], 2, "the second pass ran what the alias wrote");
}

/* 1 GiB maps through its own page table at PT + 0x4000: its first page is phys */
static void map_alias_4k(uint32_t phys)
{
    put64(PT + 0x1000 + 8, (PT + 0x3000) | PTE_PWU); /* PDPT[1] */
    put64(PT + 0x3000, (PT + 0x4000) | PTE_PWU);     /* PD */
    put64(PT + 0x4000, phys | PTE_PWU);              /* PT[0] */
}

static const uint8_t mov_ebx_1_ret[] = {0xbb, 0x01, 0x00, 0x00, 0x00, 0xc3};
static const uint8_t mov_ebx_2_ret[] = {0xbb, 0x02, 0x00, 0x00, 0x00, 0xc3};

Test(cpu_blocks, a_page_remapped_by_invlpg)
{
    const uint8_t code[] = {
        0xb8, 0x00, 0x00, 0x00, 0x40,             /* 0: mov eax, 0x40000000 */
        0xff, 0xd0,                               /* 5: call rax */
        0x89, 0xde,                               /* 7: mov esi, ebx */
        0xc7, 0x04, 0x25, 0x00, 0x40, 0x10, 0x00, /* 9: mov dword [PT + 0x4000], */
        0x07, 0x00, 0x06, 0x00,                   /*    0x60000 | P W U */
        0x0f, 0x01, 0x38,                         /* 20: invlpg [rax] */
        0xff, 0xd0,                               /* 23: call rax */
        0xf4,                                     /* 25: hlt */
    };
    struct cpu *c = boot64(code, sizeof code);
    map_alias_4k(0x50000);
    put(0x50000, mov_ebx_1_ret, sizeof mov_ebx_1_ret);
    put(0x60000, mov_ebx_2_ret, sizeof mov_ebx_2_ret);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RSI], 1);
    cr_assert_eq(c->gpr[REG_RBX], 2, "the same linear address runs the new page");
}

Test(cpu_blocks, a_page_remapped_by_a_cr3_load)
{
    const uint8_t code[] = {
        0xb8, 0x00, 0x00, 0x00, 0x40, /* 0: mov eax, 0x40000000 */
        0xff, 0xd0,                   /* 5: call rax */
        0x89, 0xde,                   /* 7: mov esi, ebx */
        0xba, 0x00, 0x50, 0x10, 0x00, /* 9: mov edx, PT + 0x5000 */
        0x0f, 0x22, 0xda,             /* 14: mov cr3, rdx */
        0xff, 0xd0,                   /* 17: call rax */
        0xf4,                         /* 19: hlt */
    };
    struct cpu *c = boot64(code, sizeof code);
    map_alias_4k(0x50000);
    /* the second tables: the same identity map, 1 GiB -> 0x60000 */
    put64(PT + 0x5000, (PT + 0x6000) | PTE_PWU);
    put64(PT + 0x6000, (PT + 0x2000) | PTE_PWU);
    put64(PT + 0x6000 + 8, (PT + 0x7000) | PTE_PWU);
    put64(PT + 0x7000, (PT + 0x8000) | PTE_PWU);
    put64(PT + 0x8000, 0x60000 | PTE_PWU);
    put(0x50000, mov_ebx_1_ret, sizeof mov_ebx_1_ret);
    put(0x60000, mov_ebx_2_ret, sizeof mov_ebx_2_ret);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RSI], 1);
    cr_assert_eq(c->gpr[REG_RBX], 2, "the same linear address runs the new page");
}

/*
 * INVLPG and MOV CR3 are serializing (SDM Vol 3A 9.3): the instruction after
 * one that remaps the page it runs on comes from the new page.
 */
Test(cpu_blocks, the_running_page_remapped_under_it)
{
    /* at 1 GiB: mov dword [PT + 0x4000], 0x60007; invlpg [rax]; mov ebx, 1; hlt */
    const uint8_t old_page[] = {0xc7, 0x04, 0x25, 0x00, 0x40, 0x10, 0x00, 0x07, 0x00, 0x06,
                                0x00, 0x0f, 0x01, 0x38, 0xbb, 0x01, 0x00, 0x00, 0x00, 0xf4};
    const uint8_t new_tail[] = {0xbb, 0x02, 0x00, 0x00, 0x00, 0xf4};   /* mov ebx, 2; hlt */
    const uint8_t jump[] = {0xb8, 0x00, 0x00, 0x00, 0x40, 0xff, 0xe0}; /* mov eax, 1 GiB; jmp rax */
    struct cpu *c = boot64(jump, sizeof jump);
    map_alias_4k(0x50000);
    put(0x50000, old_page, sizeof old_page);
    put(0x60000 + 14, new_tail, sizeof new_tail);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RBX], 2, "the instruction after INVLPG came from the new page");

    /* the same with a CR3 load: mov edx, PT + 0x5000; mov cr3, rdx; mov ebx, 1; hlt */
    const uint8_t old_cr3[] = {0xba, 0x00, 0x50, 0x10, 0x00, 0x0f, 0x22,
                               0xda, 0xbb, 0x01, 0x00, 0x00, 0x00, 0xf4};
    c = boot64(jump, sizeof jump);
    map_alias_4k(0x50000);
    put64(PT + 0x5000, (PT + 0x6000) | PTE_PWU);
    put64(PT + 0x6000, (PT + 0x2000) | PTE_PWU);
    put64(PT + 0x6000 + 8, (PT + 0x7000) | PTE_PWU);
    put64(PT + 0x7000, (PT + 0x8000) | PTE_PWU);
    put64(PT + 0x8000, 0x60000 | PTE_PWU);
    put(0x50000, old_cr3, sizeof old_cr3);
    put(0x60000 + 8, new_tail, sizeof new_tail);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RBX], 2, "the instruction after MOV CR3 came from the new page");
}

/*
 * A block goes on into the targets of JMP and CALL in its page; a fault in
 * the callee still stops at the right instruction with the right count.
 */
Test(cpu_blocks, a_fault_after_a_followed_jmp_and_call_is_exact)
{
    two_cpus();
    const uint8_t code[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, /* 0: mov eax, 1 */
        0xeb, 0x02,                   /* 5: jmp 9 */
        0x0f, 0x0b,                   /* 7: ud2, never run */
        0xe8, 0x01, 0x00, 0x00, 0x00, /* 9: call 15 */
        0xcc,                         /* 14: int3 */
        0x48, 0x8b, 0x03,             /* 15: mov rax, [rbx]: not canonical, #GP */
    };
    rput(0x1000, code, sizeof code);
    struct cpu *c = &r.c[0];
    c->rip = 0x1000;
    c->gpr[REG_RBX] = 0x8000000000000000ull;
    uint64_t before = c->icount;
    cr_assert_eq(cpu_run(c, 1000), CPU_EXIT_EXCEPTION);
    cr_assert_eq(c->exc.vector, VEC_GP);
    cr_assert_eq(c->rip, 0x1000 + 15);
    cr_assert_eq(c->icount - before, 3, "mov, jmp and call retired, not the load");
    cr_assert_eq(c->gpr[REG_RSP], 0x8000 - 8);
    cr_assert_eq(*(uint64_t *)(r.ram + 0x8000 - 8), 0x1000 + 14, "the return address");
    /* the same with a budget that ends in the middle: two, then the rest */
    c->rip = 0x1000;
    c->gpr[REG_RSP] = 0x8000;
    before = c->icount;
    cr_assert_eq(cpu_run(c, 2), CPU_EXIT_BUDGET);
    cr_assert_eq(c->rip, 0x1000 + 9, "stopped after the jmp");
    cr_assert_eq(c->icount - before, 2);
}
