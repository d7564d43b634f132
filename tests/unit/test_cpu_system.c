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
    cr_assert_eq(c->gpr[REG_RDX] & CPUID_1_EDX_FPU, 0);

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

/* held events (cpu.h, cpu_unhold_events): STI hands them back, taken after its shadow */
Test(cpu_system, held_events_come_back_after_sti)
{
    static uint32_t events;
    const uint8_t code[] = {0xfb, 0x90, 0x90, 0xf4}; /* sti; nop; nop; hlt */
    struct cpu *c = boot32(code, sizeof code);
    c->events = &events;
    events = 0;
    c->held_for_if = 0x1;
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT);
    cr_assert_eq(c->rip, CODE + 2, "after STI and the shadowed NOP");
    cr_assert_eq(events, 0x1);
    cr_assert_eq(c->held_for_if, 0);
}

/* POPF: back as soon as IF is set, and not while it stays clear */
Test(cpu_system, held_events_and_popf)
{
    static uint32_t events;
    /* push 0x2; popf; nop; push 0x202; popf; nop; hlt */
    const uint8_t code[] = {0x68, 0x02, 0x00, 0x00, 0x00, 0x9d, 0x90, 0x68,
                            0x02, 0x02, 0x00, 0x00, 0x9d, 0x90, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    c->events = &events;
    events = 0;
    c->held_for_if = 0x1;
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT);
    cr_assert_eq(c->rip, CODE + 13, "right after the POPF that set IF");
    cr_assert_eq(events, 0x1);
    cr_assert_eq(c->held_for_if, 0);
}

/* IRET hands back what NMI blocking held; cpu_unhold_events hands back the rest */
Test(cpu_system, held_events_and_iret)
{
    static uint32_t events;
    const uint8_t code[] = {0x90, 0x90, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    m.ram[HANDLER + 16 * VEC_NMI] = 0xcf; /* iret */
    cpu_nmi(c);
    c->events = &events;
    events = 0;
    c->held_for_nmi = 0x2;
    c->held_for_if = 0x1; /* IF stays 0: still held after the IRET */
    cr_assert_eq(cpu_run(c, 100), CPU_EXIT_EVENT);
    cr_assert_eq(c->rip, CODE, "at the instruction IRET returned to");
    cr_assert_eq(events, 0x2);
    cr_assert_eq(c->held_for_if, 0x1);
    cpu_unhold_events(c);
    cr_assert_eq(events, 0x3);
    cr_assert_eq(c->held_for_if | c->held_for_nmi, 0);
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
