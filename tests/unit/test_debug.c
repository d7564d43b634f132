/*
 * test_debug.c: the debugging aids of emu/debug.h on the CPU system rig
 * (cpu_system_rig.h): the side-effect-free page walk the dumps use agrees
 * with the CPU's own walk in every paging mode and changes no table, the
 * RIP history records instructions and events in order, the event hook sees
 * what is delivered, and the register dump names what it should.
 */
#include "cpu_system_rig.h"

#include "emu/debug.h"

#define MAGIC 0x5eedf00du

/* mov eax, [ebx] (mov eax, [rbx] in 64-bit mode); hlt */
static const uint8_t load[] = {0x8b, 0x03, 0xf4};

/*
 * cpu_debug_translate(lin) gives pa without touching the tables; then the
 * guest's own load from lin reads what is at pa.
 */
static void check_translate(struct cpu *c, uint64_t lin, uint64_t want_pa)
{
    static uint8_t before[0x8000];
    uint64_t pa = 0;
    memcpy(before, m.ram + PT, sizeof before);
    cr_assert(cpu_debug_translate(c, lin, &pa), "lin %#llx translates", (unsigned long long)lin);
    cr_assert_eq(pa, want_pa, "lin %#llx: pa %#llx, want %#llx", (unsigned long long)lin,
                 (unsigned long long)pa, (unsigned long long)want_pa);
    cr_assert(memcmp(before, m.ram + PT, sizeof before) == 0, "no accessed bit was set");

    put32((uint32_t)pa, MAGIC);
    c->rip = CODE;
    c->gpr[REG_RBX] = lin;
    c->gpr[REG_RAX] = 0;
    cpu_tlb_flush(c);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + sizeof load, "the load did not fault");
    cr_assert_eq((uint32_t)c->gpr[REG_RAX], MAGIC, "the CPU's walk reached the same byte");
}

Test(debug, translate_paging32_4k_and_4m)
{
    struct cpu *c = boot32(load, sizeof load);
    map32();
    put32(PT + 0x1000 + 0x3ff * 4, 0x1f0000 | PTE_P); /* 0x3ff000 -> 0x1f0000 */
    put32(PT + 4, 0x000000 | PTE_P | PTE_PS);         /* 4 MiB at 4 MiB -> 0 */
    c->cr3 = PT;
    c->cr4 = CR4_PSE;
    c->cr0 |= CR0_PG;
    cpu_update_mode(c);
    check_translate(c, 0x3ff124, 0x1f0124);
    check_translate(c, 0x5e0010, 0x1e0010);
    uint64_t pa;
    put32(PT + 8, 0); /* 8 MiB: nothing */
    cr_assert_not(cpu_debug_translate(c, 0x800000, &pa));
}

Test(debug, translate_pae_2m)
{
    struct cpu *c = boot32(load, sizeof load);
    put64(PT, (PT + 0x1000) | PTE_P);
    put64(PT + 0x1000, 0 | PTE_P | PTE_W | PTE_PS);
    put64(PT + 0x1008, 0 | PTE_P | PTE_W | PTE_PS); /* 2-4 MiB -> 0 */
    c->cr3 = PT;
    c->cr4 = CR4_PAE;
    c->cr0 |= CR0_PG;
    cpu_update_mode(c);
    check_translate(c, 0x3d0040, 0x1d0040);
}

Test(debug, translate_4level_4k_2m_1g_and_absent)
{
    struct cpu *c = boot64(load, sizeof load);
    put64(PT + 8, (PT + 0x3000) | PTE_P | PTE_W);         /* PML4[1] */
    put64(PT + 0x3000, 0 | PTE_P | PTE_W | PTE_PS);       /*   1 GiB -> 0 */
    put64(PT + 24, (PT + 0x4000) | PTE_P | PTE_W);        /* PML4[3] */
    put64(PT + 0x4000, (PT + 0x5000) | PTE_P | PTE_W);    /*   PDPT[0] */
    put64(PT + 0x5000, (PT + 0x6000) | PTE_P | PTE_W);    /*   PD[0] */
    put64(PT + 0x6000 + 5 * 8, 0x1a0000 | PTE_P | PTE_W); /*   PT[5] -> 0x1a0000 */
    check_translate(c, 0x1c0040, 0x1c0040);               /* map64's 2 MiB pages */
    check_translate(c, (1ull << 39) + 0x1b0010, 0x1b0010);
    check_translate(c, (3ull << 39) + 0x5010, 0x1a0010);
    uint64_t pa;
    cr_assert_not(cpu_debug_translate(c, 4ull << 39, &pa), "PML4[4] is not present");
}

/* a loop of three instructions, then INT 0x40: the history ends with them, in order */
Test(debug, rip_history_records_instructions_then_events)
{
    /* 0: inc eax; 1: dec ecx; 2: jnz 0; 4: int 0x40 */
    const uint8_t code[] = {0x40, 0x49, 0x75, 0xfc, 0xcd, 0x40};
    struct cpu *c = boot32(code, sizeof code);
    struct cpu_rip ring[8];
    c->rips = ring;
    c->rips_mask = 7;
    c->gpr[REG_RCX] = 3;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, 0x40);
    /* 9 loop instructions, INT, its delivery, HLT in the handler */
    cr_assert_eq(c->rips_next, 12);
    const struct cpu_rip *r = &ring[(c->rips_next - 4) & 7];
    cr_assert_eq(r[0].rip, CODE + 2, "the last JNZ");
    cr_assert_eq(ring[(c->rips_next - 3) & 7].rip, CODE + 4, "INT 0x40");
    const struct cpu_rip *ev = &ring[(c->rips_next - 2) & 7];
    cr_assert_eq(ev->event, CPU_RIP_EVENT_OF(CPU_EVENT_SOFTWARE, 0x40));
    cr_assert_eq(ev->rip, CODE + 4);
    cr_assert_eq(ev->cs, K_CODE);
    cr_assert_eq(ring[(c->rips_next - 1) & 7].rip, HANDLER + 16 * 0x40, "HLT in the handler");
}

static unsigned seen_vector, seen_kind, seen_count;
static uint32_t seen_error;
static void on_event(void *opaque, const struct cpu *c, unsigned vector, enum cpu_event_kind kind,
                     bool has_error, uint32_t error)
{
    (void)opaque, (void)c;
    seen_vector = vector, seen_kind = kind, seen_error = has_error ? error : ~0u;
    seen_count++;
}

Test(debug, event_hook_sees_a_fault_with_its_error_code)
{
    /* mov ax, 0x38 (a not-present data segment); mov ds, ax: #NP(0x38) */
    const uint8_t code[] = {0x66, 0xb8, 0x38, 0x00, 0x8e, 0xd8};
    struct cpu *c = boot32(code, sizeof code);
    const struct cpu_debug hooks = {.event = on_event};
    c->debug = &hooks;
    seen_count = 0;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_NP);
    cr_assert_eq(seen_count, 1);
    cr_assert_eq(seen_vector, VEC_NP);
    cr_assert_eq(seen_kind, CPU_EVENT_EXCEPTION);
    cr_assert_eq(seen_error, NP_DATA);
}

Test(debug, register_dump_names_registers_and_code)
{
    struct cpu *c = boot32(load, sizeof load);
    c->gpr[REG_RBX] = 0x1234abcd;
    char text[2048];
    size_t n = debug_format_cpu(text, sizeof text, c, "halted");
    cr_assert_lt(n, sizeof text);
    cr_assert(strstr(text, "vCPU 0 (halted): 32-bit protected mode, CPL 0"), "%s", text);
    cr_assert(strstr(text, "rbx 000000001234abcd"), "%s", text);
    cr_assert(strstr(text, "cs   0008 base 0000000000000000 limit ffffffff"), "%s", text);
    cr_assert(strstr(text, "code at rip: 8b 03 f4"), "%s", text);
    char small[16];
    cr_assert_eq(debug_format_cpu(small, sizeof small, c, "halted"), n, "snprintf semantics");
    cr_assert_eq(strlen(small), sizeof small - 1);
}
