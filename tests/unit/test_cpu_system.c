/*
 * test_cpu_system.c: the interpreter's system side on a flat RAM bus
 * (cpu_system_rig.h): descriptor loads and their faults, IDT delivery frames,
 * privilege changes through the TSS, IRET, call gates, task switches, the
 * double and triple fault, the STI shadow and event exits, HLT, single-step,
 * MSRs, CPUID, the I/O bitmap, real mode and SIPI. Paging and long mode are
 * in test_cpu_paging.c. Code is hand-assembled bytes with the assembly beside
 * them.
 */
#include "cpu_system_rig.h"

Test(cpu_system, int_n_same_privilege_frame)
{
    const uint8_t code[] = {0xcd, 0x80}; /* int 0x80 */
    struct cpu *c = boot32(code, sizeof code);
    cpu_set_rflags(c, RFLAGS_IF);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, 0x80);
    cr_assert_eq(c->gpr[REG_RSP], STACK - 12);
    cr_assert_eq(get32(STACK - 12), CODE + 2, "EIP after the INT");
    cr_assert_eq(get32(STACK - 8), K_CODE);
    cr_assert(get32(STACK - 4) & RFLAGS_IF);
    cr_assert_eq(cpu_get_rflags(c) & RFLAGS_IF, 0, "an interrupt gate clears IF");
}

Test(cpu_system, trap_gate_keeps_if_and_iret_returns)
{
    /* int 0x81; hlt -- the handler: iret */
    const uint8_t code[] = {0xcd, 0x81, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    gate32(0x81, HANDLER + 16 * 0x81, K_CODE, 0x8f);
    m.ram[HANDLER + 16 * 0x81] = 0xcf;
    cpu_set_rflags(c, RFLAGS_IF | RFLAGS_CF);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + 3);
    cr_assert_eq(c->gpr[REG_RSP], STACK);
    cr_assert_eq(cpu_get_rflags(c) & (RFLAGS_IF | RFLAGS_CF), RFLAGS_IF | RFLAGS_CF);
}

Test(cpu_system, mov_ds_faults_with_selector_error_codes)
{
    /* mov ax, SEL (66 b8 iw); mov ds, ax (8e d8) */
    uint8_t code[] = {0x66, 0xb8, 0, 0, 0x8e, 0xd8};
    struct {
        uint16_t sel;
        unsigned vec;
        uint32_t err;
    } cases[] = {
        {0x48, VEC_GP, 0x48},         /* beyond the GDT limit */
        {0x4c, VEC_GP, 0x4c},         /* TI=1 with no LDT */
        {NP_DATA, VEC_NP, NP_DATA},   /* not present */
        {TSS_SEL, VEC_GP, TSS_SEL},   /* a system descriptor */
        {K_DATA | 3, VEC_GP, K_DATA}, /* RPL 3 > DPL 0 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        code[2] = (uint8_t)cases[k].sel, code[3] = (uint8_t)(cases[k].sel >> 8);
        struct cpu *c = boot32(code, sizeof code);
        expect_fault(c, cases[k].vec, cases[k].err, CODE + 4);
    }
}

Test(cpu_system, mov_ds_loads_the_hidden_cache_and_sets_accessed)
{
    /* mov ax, 0x40; mov ds, ax; hlt -- a DPL 3 read-only data segment */
    const uint8_t code[] = {0x66, 0xb8, 0x40, 0x00, 0x8e, 0xd8, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    put64(GDT + 0x40, desc(0x12345678, 0xabcde, 0xf0, 0x4));
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + 7);
    cr_assert_eq(c->seg[SEG_DS].base, 0x12345678);
    cr_assert_eq(c->seg[SEG_DS].limit, 0xabcde);
    cr_assert_eq(c->seg[SEG_DS].sel, 0x40);
    cr_assert(m.ram[GDT + 0x40 + 5] & 1, "accessed bit set in the GDT");
}

Test(cpu_system, null_ds_loads_but_faults_on_use)
{
    /* xor eax, eax; mov ds, ax; mov eax, [0] */
    const uint8_t code[] = {0x31, 0xc0, 0x8e, 0xd8, 0xa1, 0, 0, 0, 0};
    struct cpu *c = boot32(code, sizeof code);
    expect_fault(c, VEC_GP, 0, CODE + 4);
}

Test(cpu_system, mov_ss_checks)
{
    uint8_t code[] = {0x66, 0xb8, 0, 0, 0x8e, 0xd0}; /* mov ax, SEL; mov ss, ax */
    struct {
        uint16_t sel;
        unsigned vec;
        uint32_t err;
    } cases[] = {
        {0, VEC_GP, 0},                /* null SS */
        {K_CODE, VEC_GP, K_CODE},      /* code */
        {U_DATA, VEC_GP, U_DATA & ~3}, /* RPL != CPL */
        {NP_DATA, VEC_SS, NP_DATA},    /* not present: #SS */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        code[2] = (uint8_t)cases[k].sel, code[3] = (uint8_t)(cases[k].sel >> 8);
        struct cpu *c = boot32(code, sizeof code);
        expect_fault(c, cases[k].vec, cases[k].err, CODE + 4);
    }
}

Test(cpu_system, far_jmp_reloads_cs)
{
    /* jmp 0x08:CODE+7 (ea id iw); hlt */
    const uint8_t code[] = {0xea, 0x07, 0x00, 0x01, 0x00, 0x08, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    c->seg[SEG_CS].sel = 0x1234; /* stale: the jump must reload it */
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + 8);
    cr_assert_eq(c->seg[SEG_CS].sel, K_CODE);
}

Test(cpu_system, far_jmp_to_data_segment_is_gp)
{
    const uint8_t code[] = {0xea, 0x07, 0x00, 0x01, 0x00, 0x10, 0x00}; /* jmp 0x10:... */
    struct cpu *c = boot32(code, sizeof code);
    expect_fault(c, VEC_GP, K_DATA, CODE);
}

Test(cpu_system, ring3_int_switches_to_the_tss_stack)
{
    /*
     * push U_DATA; push USTACK; push 0x202; push U_CODE; push USER; iret
     * user: int 0x80 (gate DPL 3)
     */
    const uint8_t code[] = {0x6a, U_DATA, 0x68, 0x00,   0x00, 0x07, 0x00, 0x68, 0x02, 0x02,
                            0x00, 0x00,   0x6a, U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    const uint8_t user[] = {0xcd, 0x80};
    struct cpu *c = boot32(code, sizeof code);
    put(USER, user, sizeof user);
    gate32(0x80, HANDLER + 16 * 0x80, K_CODE, 0xee);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, 0x80);
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->seg[SEG_SS].sel, K_DATA);
    cr_assert_eq(c->gpr[REG_RSP], STACK - 20);
    cr_assert_eq(get32(STACK - 20), USER + 2);
    cr_assert_eq(get32(STACK - 16), U_CODE);
    cr_assert_eq(get32(STACK - 12) & 0x202, 0x202);
    cr_assert_eq(get32(STACK - 8), USTACK);
    cr_assert_eq(get32(STACK - 4), U_DATA);
}

Test(cpu_system, ring3_int_through_dpl0_gate_is_gp)
{
    const uint8_t code[] = {0x6a, U_DATA, 0x68, 0x00,   0x00, 0x07, 0x00, 0x68, 0x02, 0x02,
                            0x00, 0x00,   0x6a, U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    const uint8_t user[] = {0xcd, 0x81}; /* int 0x81: gate DPL 0 */
    struct cpu *c = boot32(code, sizeof code);
    put(USER, user, sizeof user);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
    cr_assert_eq(get32(STACK - 24), 0x81 * 8 + 2, "IDT bit, EXT clear");
    cr_assert_eq(get32(STACK - 20), USER, "the INT faults");
    cr_assert_eq(get32(STACK - 16), U_CODE);
}

Test(cpu_system, ring3_hlt_and_cli_are_gp)
{
    const uint8_t code[] = {0x6a, U_DATA, 0x68, 0x00,   0x00, 0x07, 0x00, 0x68, 0x02, 0x02,
                            0x00, 0x00,   0x6a, U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    const uint8_t user[] = {0xf4};
    struct cpu *c = boot32(code, sizeof code);
    put(USER, user, sizeof user);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
    cr_assert_eq(get32(STACK - 24), 0);
}

/* push U_DATA; push USTACK; push EFLAGS (IF, AC if ac); push U_CODE; push USER; iret */
static struct cpu *boot_ring3(const uint8_t *user, size_t n, bool ac, bool am)
{
    const uint8_t code[] = {
        0x6a, U_DATA, 0x68,   0x00, 0x00, 0x07, 0x00, 0x68, 0x02, 0x02, ac ? 0x04 : 0x00,
        0x00, 0x6a,   U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    struct cpu *c = boot32(code, sizeof code);
    put(USER, user, n);
    gate32(0x80, HANDLER + 16 * 0x80, K_CODE, 0xee);
    if (am)
        c->cr0 |= CR0_AM;
    return c;
}

Test(cpu_system, alignment_check_at_cpl3_is_ac)
{
    /* push U_DATA; pop ds; mov eax, [0x70001]; int 0x80 */
    const uint8_t user[] = {0x6a, U_DATA, 0x1f, 0xa1, 0x01, 0x00, 0x07, 0x00, 0xcd, 0x80};
    struct cpu *c = boot_ring3(user, sizeof user, true, true);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_AC);
    cr_assert_eq(get32(STACK - 24), 0, "#AC(0)");
    cr_assert_eq(get32(STACK - 20), USER + 3, "a fault: the load's EIP");

    /* AC without CR0.AM, or CR0.AM without AC: no check */
    c = boot_ring3(user, sizeof user, true, false);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, 0x80);
    c = boot_ring3(user, sizeof user, false, true);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, 0x80);
}

Test(cpu_system, alignment_check_follows_popf_past_the_tlb)
{
    /*
     * push U_DATA; pop ds; mov eax, [0x70000] (fills the TLB); pushf;
     * or dword [esp], AC; popf; mov eax, [0x70001] -- #AC although the page
     * is in the TLB
     */
    const uint8_t user[] = {0x6a, U_DATA, 0x1f, 0xa1, 0x00, 0x00, 0x07, 0x00,
                            0x9c, 0x81,   0x0c, 0x24, 0x00, 0x00, 0x04, 0x00,
                            0x9d, 0xa1,   0x01, 0x00, 0x07, 0x00, 0xcd, 0x80};
    struct cpu *c = boot_ring3(user, sizeof user, false, true);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_AC);
    cr_assert_eq(get32(STACK - 20), USER + 17);
}

Test(cpu_system, bad_gate_is_gp_with_ext_then_double_then_triple_fault)
{
    const uint8_t code[] = {0x0f, 0x0b}; /* ud2 */
    struct cpu *c = boot32(code, sizeof code);
    put64(IDT + VEC_UD * 8, 0); /* not a gate: #GP(6*8+2+EXT) */
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
    cr_assert_eq(get32(STACK - 16), VEC_UD * 8 + 3);
    cr_assert_eq(get32(STACK - 12), CODE);

    c = boot32(code, sizeof code);
    put64(IDT + VEC_UD * 8, 0);
    put64(IDT + VEC_GP * 8, 0); /* #GP while delivering #GP: #DF */
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_DF);
    cr_assert_eq(get32(STACK - 16), 0);

    c = boot32(code, sizeof code);
    c->idtr.limit = 0; /* nothing deliverable: triple fault */
    cr_assert_eq(run(c), CPU_EXIT_SHUTDOWN);
    cr_assert_eq(c->rip, CODE);
    cr_assert_eq(run(c), CPU_EXIT_SHUTDOWN, "a shutdown stays");
}

Test(cpu_system, sti_shadow_and_event_exit)
{
    static uint32_t events;
    const uint8_t code[] = {0xfb, 0x90, 0x90, 0xf4}; /* sti; nop; nop; hlt */
    struct cpu *c = boot32(code, sizeof code);
    c->events = &events;
    events = 0;
    cr_assert_eq(cpu_run(c, 1), CPU_EXIT_BUDGET);
    cr_assert_eq(cpu_irq_flags(c), VCPU_IF | VCPU_SHADOW);
    events = 1;
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT, "after the shadowed NOP");
    cr_assert_eq(c->rip, CODE + 2);
    cr_assert_eq(cpu_irq_flags(c), VCPU_IF);
    cpu_interrupt(c, 0x40);
    cr_assert_eq(c->rip, HANDLER + 16 * 0x40);
    cr_assert_eq(get32(STACK - 12), CODE + 2, "returns to the second NOP");
    events = 0;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
}

/* an interrupt held back by IF=0 ends the run right where STI's shadow ends, not later */
Test(cpu_system, event_waiting_for_if_exits_when_sti_opens_the_window)
{
    static uint32_t events;
    /* nop; nop; sti; nop; cli; nop; hlt */
    const uint8_t code[] = {0x90, 0x90, 0xfb, 0x90, 0xfa, 0x90, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    c->events = &events;
    c->events_need_if = LAPIC_EV_INTR;
    events = LAPIC_EV_INTR;
    cr_assert_eq(cpu_irq_flags(c) & VCPU_IF, 0);
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT, "held back until IF opens");
    cr_assert_eq(c->rip, CODE + 4, "after STI and its shadowed NOP, before CLI");
    cr_assert_eq(cpu_irq_flags(c), VCPU_IF);
}

Test(cpu_system, event_waiting_for_if_lets_the_cpu_run_on)
{
    static uint32_t events;
    const uint8_t code[] = {0x90, 0x90, 0x90, 0xf4}; /* nop; nop; nop; hlt, IF=0 */
    struct cpu *c = boot32(code, sizeof code);
    c->events = &events;
    c->events_need_if = LAPIC_EV_INTR;
    events = LAPIC_EV_INTR;
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_HLT, "nothing it may take: it runs to the HLT");
    events = LAPIC_EV_INTR | LAPIC_EV_INIT;
    c->rip = CODE;
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT, "INIT does not wait for IF");
    cr_assert_eq(c->rip, CODE);
}

Test(cpu_system, event_waiting_for_popf_and_iret)
{
    static uint32_t events;
    /* pushfd; or dword [esp], 0x200; popfd; nop; hlt */
    const uint8_t code[] = {0x9c, 0x81, 0x0c, 0x24, 0x00, 0x02, 0x00, 0x00, 0x9d, 0x90, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    c->events = &events;
    c->events_need_if = LAPIC_EV_INTR;
    events = LAPIC_EV_INTR;
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT);
    cr_assert_eq(c->rip, CODE + 9, "right after the POPF that set IF (no shadow)");
}

Test(cpu_system, nmi_waiting_for_iret_exits_after_it)
{
    static uint32_t events;
    const uint8_t code[] = {0x90, 0x90, 0xf4}; /* nop; nop; hlt */
    struct cpu *c = boot32(code, sizeof code);
    m.ram[HANDLER + 16 * VEC_NMI] = 0x90;     /* nop */
    m.ram[HANDLER + 16 * VEC_NMI + 1] = 0xcf; /* iret */
    c->events = &events;
    c->events_need_nmi_open = LAPIC_EV_NMI;
    cpu_nmi(c);
    events = LAPIC_EV_NMI; /* a second NMI, blocked until the IRET */
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT);
    cr_assert_eq(c->rip, CODE, "back from the handler's IRET, not before");
    cr_assert_eq(cpu_irq_flags(c) & VCPU_NMI_BLOCKED, 0);
}

Test(cpu_system, hlt_then_interrupt_resumes_after_it)
{
    const uint8_t code[] = {0xfb, 0xf4, 0x90}; /* sti; hlt; nop */
    struct cpu *c = boot32(code, sizeof code);
    m.ram[HANDLER + 16 * 0x30] = 0xcf; /* iret */
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + 2);
    cpu_interrupt(c, 0x30);
    cr_assert_eq(cpu_run(c, 2), CPU_EXIT_BUDGET); /* iret, nop */
    cr_assert_eq(c->rip, CODE + 3);
    cr_assert_eq(c->gpr[REG_RSP], STACK);
}

Test(cpu_system, nmi_blocked_until_iret)
{
    const uint8_t code[] = {0x90, 0x90};
    struct cpu *c = boot32(code, sizeof code);
    m.ram[HANDLER + 16 * VEC_NMI] = 0xcf; /* iret */
    cpu_nmi(c);
    cr_assert(cpu_irq_flags(c) & VCPU_NMI_BLOCKED);
    cr_assert_eq(c->rip, HANDLER + 16 * VEC_NMI);
    cr_assert_eq(cpu_run(c, 1), CPU_EXIT_BUDGET);
    cr_assert_eq(cpu_irq_flags(c) & VCPU_NMI_BLOCKED, 0);
    cr_assert_eq(c->rip, CODE);
}

Test(cpu_system, lgdt_sgdt_lidt)
{
    /* lgdt [0x5000]; sidt [0x5010]; hlt */
    const uint8_t code[] = {0x0f, 0x01, 0x15, 0x00, 0x50, 0x00, 0x00, 0x0f,
                            0x01, 0x0d, 0x10, 0x50, 0x00, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    m.ram[0x5000] = 0x57, m.ram[0x5001] = 0;
    put32(0x5002, GDT);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gdtr.limit, 0x57);
    cr_assert_eq(c->gdtr.base, GDT);
    cr_assert_eq(m.ram[0x5010] | m.ram[0x5011] << 8, 256 * 8 - 1);
    cr_assert_eq(get32(0x5012), IDT);
}

Test(cpu_system, msrs_and_cr)
{
    /* mov ecx, EFER; rdmsr; or eax, NXE; wrmsr; mov ecx, 0x1234; rdmsr */
    const uint8_t code[] = {0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32, 0x0d, 0x00, 0x08, 0x00,
                            0x00, 0x0f, 0x30, 0xb9, 0x34, 0x12, 0x00, 0x00, 0x0f, 0x32};
    struct cpu *c = boot32(code, sizeof code);
    expect_fault(c, VEC_GP, 0, CODE + 19);
    cr_assert_eq(c->efer, EFER_NXE);
}

Test(cpu_system, cpuid_topology_and_frequencies)
{
    const uint8_t code[] = {0x0f, 0xa2, 0xf4}; /* cpuid; hlt */
    struct {
        uint32_t leaf, sub, a, b, c, d;
    } cases[] = {
        {0xb, 0, 0, 1, 0x100, 5},
        {0xb, 1, 2, 4, 0x201, 5},
        {0x1f, 2, 0, 0, 2, 5},
        {0x15, 0, 1, 1, 2000000000u, 0},
        {0x16, 0, 2000, 2000, 1000, 0},
        {0xa, 0, 0, 0, 0, 0},
        {0x40000010, 0, 2000000, 1000000, 0, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct cpu *c = boot32(code, sizeof code);
        c->feat = (struct cpu_features){
            .apic_id = 5, .ncpus = 4, .tsc_hz = 2000000000u, .lapic_hz = 1000000000u};
        c->gpr[REG_RAX] = cases[k].leaf;
        c->gpr[REG_RCX] = cases[k].sub;
        cr_assert_eq(run(c), CPU_EXIT_HLT);
        cr_expect_eq(c->gpr[REG_RAX], cases[k].a, "leaf %#x.%u eax", cases[k].leaf, cases[k].sub);
        cr_expect_eq(c->gpr[REG_RBX], cases[k].b, "leaf %#x.%u ebx", cases[k].leaf, cases[k].sub);
        cr_expect_eq(c->gpr[REG_RCX], cases[k].c, "leaf %#x.%u ecx", cases[k].leaf, cases[k].sub);
        cr_expect_eq(c->gpr[REG_RDX], cases[k].d, "leaf %#x.%u edx", cases[k].leaf, cases[k].sub);
    }
    struct cpu *c = boot32(code, sizeof code);
    c->feat.apic_id = 7, c->feat.ncpus = 8;
    c->gpr[REG_RAX] = 1;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RBX] >> 24, 7);
    cr_assert(c->gpr[REG_RDX] & CPUID_1_EDX_FPU);

    c = boot32(code, sizeof code);
    c->gpr[REG_RAX] = 0x40000000;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    char sig[13] = {0};
    memcpy(sig, &c->gpr[REG_RBX], 4);
    memcpy(sig + 4, &c->gpr[REG_RCX], 4);
    memcpy(sig + 8, &c->gpr[REG_RDX], 4);
    cr_assert_str_eq(sig, "baremubaremu");
}

Test(cpu_system, sipi_real_mode_ivt_and_switch_to_protected)
{
    /*
     * at 0x9000 (SIPI vector 9): int 0x21 (IVT -> 0x0000:0x0500: iret);
     * lgdt [cs:0x100]; mov eax, cr0; or al, 1; mov cr0, eax; jmp 0x08:0x9030 (66 ea)
     * 0x9030: (32-bit) hlt
     */
    const uint8_t code[] = {0xcd, 0x21, 0x2e, 0x0f, 0x01, 0x16, 0x00, 0x01, 0x0f, 0x20, 0xc0, 0x0c,
                            0x01, 0x0f, 0x22, 0xc0, 0x66, 0xea, 0x30, 0x90, 0x00, 0x00, 0x08, 0x00};
    static const uint8_t none[1] = {0xf4};
    struct cpu *c = boot32(none, sizeof none);
    put(0x9000, code, sizeof code);
    m.ram[0x9030] = 0xf4;
    m.ram[0x9100] = 0x47;
    put32(0x9102, GDT);
    put32(0x21 * 4, 0x00000500);
    m.ram[0x500] = 0xcf;
    cpu_init_reset(c);
    cpu_start_sipi(c, 9);
    c->gpr[REG_RSP] = 0x8000;
    cr_assert_eq(c->mode, MODE_REAL);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, 0x9031);
    cr_assert_eq(c->mode, MODE_PROT32);
    cr_assert_eq(c->gpr[REG_RSP], 0x8000, "the IVT call returned");
}

static bool a20_gate;
static uint32_t map_gen;

static void io_out_a20_off(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    (void)opaque, (void)val, (void)size;
    if (port == 0x92) {
        __atomic_store_n(&a20_gate, false, __ATOMIC_RELEASE);
        __atomic_add_fetch(&map_gen, 1, __ATOMIC_ACQ_REL);
    }
}

/* real mode at 0x9000: mov ax, 0xffff; mov ds, ax; mov al, [0x10]; out 0x92, al;
 * mov bl, [0x10]; hlt -- FFFF:0010 is 0x100000, or 0 while A20 is off */
static struct cpu *boot_a20(bool on)
{
    static const uint8_t code[] = {0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xa0, 0x10, 0x00,
                                   0xe6, 0x92, 0x8a, 0x1e, 0x10, 0x00, 0xf4};
    static const uint8_t none[1] = {0xf4};
    struct cpu *c = boot32(none, sizeof none);
    put(0x9000, code, sizeof code);
    m.ram[0] = 0x11;
    m.ram[0x100000] = 0x22;
    a20_gate = on;
    map_gen = 1; /* not the CPU's 0: it reads the gate when cpu_run starts */
    m.bus.a20_on = &a20_gate;
    m.bus.map_gen = &map_gen;
    m.bus.io_out = io_out_a20_off;
    cpu_init_reset(c);
    cpu_start_sipi(c, 9);
    return c;
}

Test(cpu_system, a20_off_wraps_physical_bit_20_and_follows_the_gate)
{
    struct cpu *c = boot_a20(true);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RAX] & 0xff, 0x22, "A20 on: FFFF:0010 is 0x100000");
    cr_assert_eq(c->gpr[REG_RBX] & 0xff, 0x11, "after the OUT that turned A20 off it is 0");

    c = boot_a20(false);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RAX] & 0xff, 0x11, "A20 off from the start: 0");
}

static uint32_t io_hits;

static void io_out_count(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    (void)opaque, (void)port, (void)val, (void)size;
    io_hits++;
}

Test(cpu_system, io_permission_bitmap_in_ring3)
{
    /* to ring 3 (IOPL 0), then: mov dx, 0x3f8; out dx, al; mov dx, 0x3f9; out dx, al */
    const uint8_t code[] = {0x6a, U_DATA, 0x68, 0x00,   0x00, 0x07, 0x00, 0x68, 0x02, 0x02,
                            0x00, 0x00,   0x6a, U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    const uint8_t user[] = {0x66, 0xba, 0xf8, 0x03, 0xee, 0x66, 0xba, 0xf9, 0x03, 0xee};
    struct cpu *c = boot32(code, sizeof code);
    m.bus.io_out = io_out_count;
    io_hits = 0;
    put(USER, user, sizeof user);
    /* a TSS with an I/O map at 0x68: every port denied but 0x3f8 */
    put64(GDT + TSS_SEL, desc(TSS, 0x68 + 0x2000, 0x89, 0));
    c->tr.limit = 0x68 + 0x2000;
    m.ram[TSS + 0x66] = 0x68;
    memset(m.ram + TSS + 0x68, 0xff, 0x2000);
    m.ram[TSS + 0x68 + 0x3f8 / 8] = 0xfe;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
    cr_assert_eq(io_hits, 1, "port 0x3f8 allowed");
    cr_assert_eq(get32(STACK - 20), USER + 9, "port 0x3f9 denied");
}

Test(cpu_system, execute_only_code_segment_read_is_gp)
{
    /* mov eax, cs:[0x100] with CS execute-only */
    const uint8_t code[] = {0x2e, 0xa1, 0x00, 0x01, 0x00, 0x00};
    struct cpu *c = boot32(code, sizeof code);
    c->seg[SEG_CS].attr &= ~SEG_TYPE_WRITABLE;
    expect_fault(c, VEC_GP, 0, CODE);
}

Test(cpu_system, ltr_marks_busy_and_sysenter_sysexit)
{
    /* mov ax, TSS_SEL; ltr ax; hlt */
    const uint8_t code[] = {0x66, 0xb8, TSS_SEL, 0x00, 0x0f, 0x00, 0xd8, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    c->tr = (struct seg){0};
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->tr.sel, TSS_SEL);
    cr_assert_eq(c->tr.base, TSS);
    cr_assert_eq(m.ram[GDT + TSS_SEL + 5] & 0xf, DESC_TSS_BUSY);
    c->rip = CODE;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
    cr_assert_eq(get32(STACK - 16), TSS_SEL, "a busy TSS cannot be loaded");

    /*
     * SYSENTER_CS = 0x08: sysexit to ring 3 at EDX with ESP = ECX (CS 0x1b, SS 0x23);
     * user: sysenter, to SYSENTER_EIP (HANDLER + 0x800: hlt)
     */
    const uint8_t se[] = {0x0f, 0x35};
    c = boot32(se, sizeof se);
    c->sysenter_cs = K_CODE;
    c->sysenter_eip = HANDLER + 0x800;
    c->sysenter_esp = STACK - 0x40;
    c->gpr[REG_RDX] = USER;
    c->gpr[REG_RCX] = USTACK;
    put(USER, (const uint8_t[]){0x0f, 0x34}, 2);
    m.ram[HANDLER + 0x800] = 0xf4;
    cr_assert_eq(cpu_run(c, 1), CPU_EXIT_BUDGET);
    cr_assert_eq(c->cpl, 3);
    cr_assert_eq(c->seg[SEG_CS].sel, U_CODE);
    cr_assert_eq(c->seg[SEG_SS].sel, U_DATA);
    cr_assert_eq(c->gpr[REG_RSP], USTACK);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->rip, HANDLER + 0x801);
    cr_assert_eq(c->gpr[REG_RSP], STACK - 0x40);
}

Test(cpu_system, single_step_traps_after_each_instruction)
{
    /* pushf; or dword [esp], TF; popf; nop; nop -- the #DB handler: iret */
    const uint8_t code[] = {0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d, 0x90, 0x90, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    m.ram[HANDLER + 16 * VEC_DB] = 0xcf; /* iret */
    unsigned traps = 0;
    for (unsigned n = 0; n < 40; n++) {
        enum cpu_exit e = cpu_run(c, 1);
        if (e == CPU_EXIT_HLT)
            break;
        cr_assert_eq(e, CPU_EXIT_BUDGET);
        if (c->rip == HANDLER + 16 * VEC_DB) {
            traps++;
            cr_assert(c->dr[6] & DR6_BS);
            cr_assert_eq(cpu_get_rflags(c) & RFLAGS_TF, 0, "the handler runs without TF");
        }
    }
    /* the POPF that set TF does not trap; each NOP does; HLT ends the run */
    cr_assert_eq(traps, 2, "one #DB after each NOP, got %u", traps);
    cr_assert_eq(c->rip, CODE + 12);
}

Test(cpu_system, call_gate_to_ring0_copies_parameters_and_retf_returns)
{
    /*
     * ring 3: push 0x22; push 0x11; call far 0x50:0 (gate: K_CODE:HANDLER+0x900, 2 params); hlt
     * HANDLER+0x900 (ring 0): retf 8
     */
    const uint8_t code[] = {0x6a, U_DATA, 0x68, 0x00,   0x00, 0x07, 0x00, 0x68, 0x02, 0x00,
                            0x00, 0x00,   0x6a, U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    const uint8_t user[] = {0x6a, 0x22, 0x6a, 0x11, 0x9a, 0x00, 0x00, 0x00, 0x00, 0x53, 0x00, 0x90};
    struct cpu *c = boot32(code, sizeof code);
    put(USER, user, sizeof user);
    uint32_t off = HANDLER + 0x900;
    c->gdtr.limit = 0x57;
    put64(GDT + 0x50, (off & 0xffff) | ((uint64_t)K_CODE << 16) | (2ull << 32) | (0xecull << 40) |
                          ((uint64_t)(off >> 16) << 48));
    const uint8_t retf8[] = {0xca, 0x08, 0x00};
    put(HANDLER + 0x900, retf8, sizeof retf8);
    /* iret to ring 3, push, push, call far: stop in the ring-0 code */
    cr_assert_eq(cpu_run(c, 9), CPU_EXIT_BUDGET);
    cr_assert_eq(c->rip, HANDLER + 0x900);
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->gpr[REG_RSP], STACK - 24);
    cr_assert_eq(get32(STACK - 24), USER + 11, "return EIP");
    cr_assert_eq(get32(STACK - 20), U_CODE);
    cr_assert_eq(get32(STACK - 16), 0x11, "parameters in their order");
    cr_assert_eq(get32(STACK - 12), 0x22);
    cr_assert_eq(get32(STACK - 8), USTACK - 8);
    cr_assert_eq(get32(STACK - 4), U_DATA);
    cr_assert_eq(cpu_run(c, 1), CPU_EXIT_BUDGET); /* retf 8 */
    cr_assert_eq(c->cpl, 3);
    cr_assert_eq(c->rip, USER + 11);
    cr_assert_eq(c->gpr[REG_RSP], USTACK);
    cr_assert_eq(c->seg[SEG_SS].sel, U_DATA);

    /* a gate with DPL 0 from ring 3 is #GP(gate) */
    c = boot32(code, sizeof code);
    put(USER, user, sizeof user);
    c->gdtr.limit = 0x57;
    put64(GDT + 0x50, (off & 0xffff) | ((uint64_t)K_CODE << 16) | (0x8cull << 40));
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
    cr_assert_eq(get32(STACK - 24), 0x50);
}

#define TSS2     0x3800u
#define TSS2_SEL 0x48

/* a second 32-bit task running code at eip on its own stack */
static void task2(uint32_t eip)
{
    m.c.gdtr.limit = 0x4f;
    put64(GDT + TSS2_SEL, desc(TSS2, 0x67, 0x89, 0));
    put32(TSS2 + 0x20, eip);
    put32(TSS2 + 0x24, 0x2);
    put32(TSS2 + 0x28, 0x1234);  /* EAX */
    put32(TSS2 + 0x38, 0x60000); /* ESP */
    for (unsigned s = 0; s < 6; s++)
        put32(TSS2 + 0x48 + 4 * s, s == SEG_CS ? K_CODE : K_DATA);
}

Test(cpu_system, double_fault_through_a_task_gate)
{
    const uint8_t code[] = {0x0f, 0x0b}; /* ud2, with #UD and #GP gates broken: #DF */
    struct cpu *c = boot32(code, sizeof code);
    put64(IDT + VEC_UD * 8, 0);
    put64(IDT + VEC_GP * 8, 0);
    put64(IDT + VEC_DF * 8, (uint64_t)TSS2_SEL << 16 | 0x85ull << 40); /* task gate */
    task2(HANDLER + 0xa00);
    m.ram[HANDLER + 0xa00] = 0xf4;
    c->gpr[REG_RAX] = 0x5555;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, HANDLER + 0xa01);
    cr_assert_eq(c->tr.sel, TSS2_SEL);
    cr_assert_eq(c->gpr[REG_RAX], 0x1234);
    cr_assert_eq(c->gpr[REG_RSP], 0x60000 - 4, "the #DF error code on the new stack");
    cr_assert_eq(get32(0x60000 - 4), 0);
    cr_assert(cpu_get_rflags(c) & RFLAGS_NT);
    cr_assert_eq(get32(TSS2), TSS_SEL, "back link");
    cr_assert_eq(get32(TSS + 0x20), CODE, "the old task's EIP: the faulting UD2");
    cr_assert_eq(get32(TSS + 0x28), 0x5555);
    cr_assert_eq(m.ram[GDT + TSS2_SEL + 5] & 0xf, DESC_TSS_BUSY);
}

Test(cpu_system, call_to_a_tss_and_iret_back)
{
    /* call far TSS2_SEL:0; hlt -- task 2: iret */
    const uint8_t code[] = {0x9a, 0, 0, 0, 0, TSS2_SEL, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    put64(GDT + TSS_SEL, desc(TSS, 0x67, 0x8b, 0)); /* the running task is busy */
    task2(HANDLER + 0xa00);
    m.ram[HANDLER + 0xa00] = 0xcf;
    c->gpr[REG_RAX] = 0x5555;
    cr_assert_eq(cpu_run(c, 1), CPU_EXIT_BUDGET);
    cr_assert_eq(c->tr.sel, TSS2_SEL);
    cr_assert_eq(c->rip, HANDLER + 0xa00);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->tr.sel, TSS_SEL);
    cr_assert_eq(c->rip, CODE + 8);
    cr_assert_eq(c->gpr[REG_RAX], 0x5555);
    cr_assert_eq(c->gpr[REG_RSP], STACK);
    cr_assert_eq(m.ram[GDT + TSS2_SEL + 5] & 0xf, DESC_TSS_AVAIL, "IRET frees the task");
    cr_assert_eq(cpu_get_rflags(c) & RFLAGS_NT, 0);
}

Test(cpu_system, call_to_a_16bit_tss_and_iret_back)
{
    /* call far TSS2_SEL:0; hlt -- task 2 (16-bit TSS, flat 32-bit code at 0xa000): iret */
    const uint8_t code[] = {0x9a, 0, 0, 0, 0, TSS2_SEL, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    put64(GDT + TSS_SEL, desc(TSS, 0x67, 0x8b, 0));
    c->gdtr.limit = 0x4f;
    put64(GDT + TSS2_SEL, desc(TSS2, 0x2b, 0x81, 0)); /* available 16-bit TSS */
    memset(m.ram + TSS2, 0, 0x2c);
    m.ram[TSS2 + 0x0e] = 0x00, m.ram[TSS2 + 0x0f] = 0xa0; /* IP */
    m.ram[TSS2 + 0x10] = 0x02;                            /* FLAGS */
    m.ram[TSS2 + 0x12] = 0x34, m.ram[TSS2 + 0x13] = 0x12; /* AX */
    m.ram[TSS2 + 0x1a] = 0x00, m.ram[TSS2 + 0x1b] = 0x90; /* SP */
    for (unsigned s = 0; s < 4; s++)                      /* ES, CS, SS, DS */
        m.ram[TSS2 + 0x22 + 2 * s] = s == SEG_CS ? K_CODE : K_DATA;
    m.ram[0xa000] = 0xcf;
    c->gpr[REG_RAX] = 0x5555;
    c->seg[SEG_FS].sel = K_DATA;
    cr_assert_eq(cpu_run(c, 1), CPU_EXIT_BUDGET);
    cr_assert_eq(c->tr.sel, TSS2_SEL);
    cr_assert_eq(c->rip, 0xa000);
    cr_assert_eq(c->gpr[REG_RAX], 0xffff1234, "a 16-bit task: the upper half all ones");
    cr_assert_eq(c->gpr[REG_RSP], 0xffff9000);
    cr_assert_eq(c->seg[SEG_FS].sel, 0, "a 16-bit TSS has no FS: null");
    cr_assert_eq(m.ram[TSS2] | m.ram[TSS2 + 1] << 8, TSS_SEL, "back link");
    cr_assert(cpu_get_rflags(c) & RFLAGS_NT);
    cr_assert_eq(m.ram[GDT + TSS2_SEL + 5] & 0xf, DESC_TSS16_BUSY);
    cr_assert_eq(get32(TSS + 0x20), CODE + 7, "the 32-bit task's EIP after the CALL");
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->tr.sel, TSS_SEL);
    cr_assert_eq(c->rip, CODE + 8);
    cr_assert_eq(c->gpr[REG_RAX], 0x5555);
    cr_assert_eq(m.ram[TSS2 + 0x0e] | m.ram[TSS2 + 0x0f] << 8, 0xa001, "its IP saved as a word");
    cr_assert_eq(m.ram[GDT + TSS2_SEL + 5] & 0xf, DESC_TSS16_AVAIL, "IRET frees the task");
}

Test(cpu_system, a_16bit_tss_below_its_minimum_limit_is_ts)
{
    const uint8_t code[] = {0xea, 0, 0, 0, 0, TSS2_SEL, 0x00}; /* jmp far TSS2_SEL:0 */
    struct cpu *c = boot32(code, sizeof code);
    c->gdtr.limit = 0x4f;
    put64(GDT + TSS2_SEL, desc(TSS2, 0x2a, 0x81, 0));
    expect_fault(c, VEC_TS, TSS2_SEL, CODE);
}

Test(cpu_system, fetch_beyond_the_cs_limit_is_gp)
{
    /* nop; nop; mov eax, imm32 -- CS ends at CODE + 3: the MOV crosses it */
    const uint8_t code[] = {0x90, 0x90, 0xb8, 1, 2, 3, 4};
    struct cpu *c = boot32(code, sizeof code);
    cr_assert_eq(cpu_run(c, 3), CPU_EXIT_BUDGET); /* all three cached under the flat CS */
    c->rip = CODE;
    c->seg[SEG_CS].limit = CODE + 3;
    cpu_update_mode(c);
    expect_fault(c, VEC_GP, 0, CODE + 2);
}

/* ---- a ROM at the top of 4 GiB and its PAM shadow (struct cpu_rom) ---- */

#define ROM_SIZE 0x10000u
static uint8_t rom_image[ROM_SIZE];
static struct cpu_rom rom;

static void rom_attach(struct cpu *c, uint8_t rights)
{
    rom = (struct cpu_rom){.data = rom_image, .base = (1ull << 32) - ROM_SIZE, .size = ROM_SIZE};
    memset(rom.shadow, rights, sizeof rom.shadow);
    m.bus.rom = &rom;
    cpu_tlb_flush(c);
}

Test(cpu_system, reset_vector_fetches_from_the_rom)
{
    static const uint8_t none[1] = {0xf4};
    struct cpu *c = boot32(none, sizeof none);
    memset(rom_image, 0, sizeof rom_image);
    rom_image[ROM_SIZE - 16] = 0xf4; /* hlt at 0xFFFFFFF0 */
    cpu_init_reset(c);
    rom_attach(c, 0);
    cr_assert_eq(c->seg[SEG_CS].base + c->rip, 0xfffffff0ull, "F000:FFF0 with CS base 0xFFFF0000");
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, 0xfff1, "the HLT came from the ROM");
}

/* mov al, [0xF0000]; mov byte [0xF0000], 0x55; mov bl, [0xF0000]; hlt */
static struct cpu *boot_shadow(uint8_t rights)
{
    static const uint8_t code[] = {0xa0, 0x00, 0x00, 0x0f, 0x00, 0xc6, 0x05, 0x00, 0x00, 0x0f,
                                   0x00, 0x55, 0x8a, 0x1d, 0x00, 0x00, 0x0f, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    memset(rom_image, 0, sizeof rom_image);
    rom_image[0] = 0xa5; /* the 64 KiB ROM's first byte appears at 0xF0000 */
    m.ram[0xf0000] = 0x77;
    rom_attach(c, rights);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    return c;
}

Test(cpu_system, pam_closed_reads_the_rom_and_drops_writes)
{
    struct cpu *c = boot_shadow(0);
    cr_assert_eq(c->gpr[REG_RAX] & 0xff, 0xa5, "read from the ROM's alias");
    cr_assert_eq(c->gpr[REG_RBX] & 0xff, 0xa5, "the write went nowhere");
    cr_assert_eq(m.ram[0xf0000], 0x77);
    cr_assert_eq(rom_image[0], 0xa5);
}

Test(cpu_system, pam_write_only_writes_ram_and_reads_the_rom)
{
    struct cpu *c = boot_shadow(CPU_SHADOW_WE);
    cr_assert_eq(c->gpr[REG_RAX] & 0xff, 0xa5);
    cr_assert_eq(c->gpr[REG_RBX] & 0xff, 0xa5, "reads still come from the ROM");
    cr_assert_eq(m.ram[0xf0000], 0x55, "the write reached RAM");
}

Test(cpu_system, pam_read_write_is_plain_ram)
{
    struct cpu *c = boot_shadow(CPU_SHADOW_RE | CPU_SHADOW_WE);
    cr_assert_eq(c->gpr[REG_RAX] & 0xff, 0x77);
    cr_assert_eq(c->gpr[REG_RBX] & 0xff, 0x55);
    cr_assert_eq(m.ram[0xf0000], 0x55);
}

Test(cpu_system, pam_read_only_reads_ram_and_drops_writes)
{
    struct cpu *c = boot_shadow(CPU_SHADOW_RE);
    cr_assert_eq(c->gpr[REG_RAX] & 0xff, 0x77);
    cr_assert_eq(c->gpr[REG_RBX] & 0xff, 0x77);
    cr_assert_eq(m.ram[0xf0000], 0x77);
}

/* SDM Vol 3B 17.17.3: TSC and IA32_TSC_ADJUST move together, on this vCPU alone */
Test(cpu_system, tsc_adjust_follows_tsc_writes)
{
    /* wrmsr; rdtsc; hlt */
    const uint8_t code[] = {0x0f, 0x30, 0x0f, 0x31, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    c->gpr[REG_RCX] = MSR_TSC;
    c->gpr[REG_RDX] = 0x100, c->gpr[REG_RAX] = 0; /* the TSC without a bus is icount */
    uint64_t before = c->icount;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    uint64_t tsc = c->gpr[REG_RDX] << 32 | (uint32_t)c->gpr[REG_RAX];
    cr_assert_eq(tsc, (0x100ull << 32) + 1, "one instruction after the write");
    cr_assert_eq(c->tsc_adjust, (0x100ull << 32) - before, "TSC_ADJUST moved as far");

    /* wrmsr (TSC_ADJUST := 0); rdtsc; hlt: the TSC goes back to the count */
    c = boot32(code, sizeof code);
    c->tsc_offset = c->tsc_adjust = 5000;
    c->gpr[REG_RCX] = MSR_TSC_ADJUST;
    c->gpr[REG_RDX] = c->gpr[REG_RAX] = 0;
    uint64_t count = c->icount;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    tsc = c->gpr[REG_RDX] << 32 | (uint32_t)c->gpr[REG_RAX];
    cr_assert_eq(tsc, count + 1);
    cr_assert_eq(c->tsc_adjust, 0);

    /* mov ecx, 0x3b; rdmsr; hlt; and INIT keeps it */
    const uint8_t rd[] = {0xb9, 0x3b, 0x00, 0x00, 0x00, 0x0f, 0x32, 0xf4};
    c = boot32(rd, sizeof rd);
    c->tsc_adjust = 0x123456789ull;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RDX] << 32 | (uint32_t)c->gpr[REG_RAX], 0x123456789ull);
    cpu_init_reset(c);
    cr_assert_eq(c->tsc_adjust, 0x123456789ull);
}

/* PAUSE ends cpu_run every pause_exit_every-th time, after the PAUSE */
Test(cpu_system, pause_exits)
{
    const uint8_t code[] = {0xf3, 0x90, 0xeb, 0xfc}; /* 1: pause; jmp 1b */
    struct cpu *c = boot32(code, sizeof code);
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_BUDGET, "never, by default");
    c = boot32(code, sizeof code);
    c->pause_exit_every = 3;
    uint64_t n = c->icount;
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_PAUSE);
    cr_assert_eq(c->icount - n, 5, "pause, jmp, pause, jmp, pause");
    cr_assert_eq(c->rip, CODE + 2);
}
