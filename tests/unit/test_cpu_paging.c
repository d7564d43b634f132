/*
 * test_cpu_paging.c: paging and long mode on the system rig
 * (cpu_system_rig.h): #PF error codes and CR2, accessed and dirty bits, WP,
 * U/S, NX, 4 MiB, 2 MiB and 1 GiB pages, INVLPG, the switch to long mode,
 * 64-bit IDT frames with IST, SYSCALL/SYSRET, SWAPGS, and random tables that
 * must never crash the host.
 */
#include "cpu_system_rig.h"

Test(cpu_paging, paging32_pf_error_code_cr2_and_ad_bits)
{
    /* mov eax, cr0; or eax, PG (0d id); mov cr0, eax; mov eax, [0x6000]; mov [0x7004], eax */
    const uint8_t code[] = {0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0,
                            0xa1, 0x00, 0x60, 0x00, 0x00, 0xa3, 0x04, 0x70, 0x00, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    map32();
    put32(PT + 0x1000 + 7 * 4, 0); /* 0x7000 not present */
    c->cr3 = PT;
    expect_fault(c, VEC_PF, PFERR_W, CODE + 16);
    cr_assert_eq(c->cr2, 0x7004);
    cr_assert(get32(PT + 0x1000 + 6 * 4) & PTE_A, "A on the PTE read");
    cr_assert_eq(get32(PT + 0x1000 + 6 * 4) & PTE_D, 0, "no D on a read");
    cr_assert(get32(PT) & PTE_A, "A on the PDE");

    c = boot32(code, sizeof code);
    map32();
    put32(PT + 0x1000 + 7 * 4, 0x7000 | PTE_P | PTE_U); /* read-only */
    c->cr3 = PT;
    c->cr0 |= CR0_WP;
    expect_fault(c, VEC_PF, PFERR_W | PFERR_P, CODE + 16);

    c = boot32(code, sizeof code);
    map32();
    c->cr3 = PT;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert(get32(PT + 0x1000 + 7 * 4) & PTE_D, "D on the written page");
}

Test(cpu_paging, paging32_pse_4m_page)
{
    /* mov eax, cr0; or eax, PG; mov cr0, eax; mov eax, [0x00401000]; hlt */
    const uint8_t code[] = {0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f,
                            0x22, 0xc0, 0xa1, 0x00, 0x10, 0x40, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    map32();
    put32(PT + 4, 0x000000 | PTE_P | PTE_W | PTE_PS); /* 4 MiB at 4 MiB -> 0 */
    put32(0x1000, 0xdeadbeef);
    c->cr3 = PT;
    c->cr4 = CR4_PSE;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq((uint32_t)c->gpr[REG_RAX], 0xdeadbeef);
}

Test(cpu_paging, long_mode_int_frame_and_ist)
{
    const uint8_t code[] = {0xcd, 0x80}; /* int 0x80 */
    struct cpu *c = boot64(code, sizeof code);
    gate64(0x80, HANDLER + 16 * 0x80, K_CODE64, 0x8e, 1);
    put64(TSS + 36, ISTACK + 8); /* IST1, misaligned: aligned down to 16 */
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, 0x80);
    cr_assert_eq(c->gpr[REG_RSP], ISTACK - 40);
    cr_assert_eq(get64(ISTACK - 40), CODE + 2);
    cr_assert_eq(get64(ISTACK - 32), K_CODE64);
    cr_assert_eq(get64(ISTACK - 16), STACK, "old RSP");
    cr_assert_eq(get64(ISTACK - 8), 0x18, "old SS: cpu_enter_long64's data selector");
}

Test(cpu_paging, long_mode_nx_and_not_present_pf)
{
    /* mov rax, [0x40000000] (beyond the mapped GiB): #PF, not present, read */
    const uint8_t code[] = {0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x40};
    struct cpu *c = boot64(code, sizeof code);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_PF);
    cr_assert_eq(get64(STACK - 48), 0);
    cr_assert_eq(c->cr2, 0x40000000);

    /* jmp to a no-execute page: #PF with I and P */
    const uint8_t jmp[] = {0xe9, 0xfb, 0xff, 0x1f, 0x00}; /* jmp CODE+0x200000 */
    c = boot64(jmp, sizeof jmp);
    c->efer |= EFER_NXE;
    put64(PT + 0x2000 + 8, (1ull << 21) | PTE_P | PTE_W | PTE_PS | PTE_NX);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_PF);
    cr_assert_eq(get64(STACK - 48), PFERR_I | PFERR_P);
    cr_assert_eq(c->cr2, CODE + 0x200000);
}

Test(cpu_paging, long_mode_switch_from_protected_mode)
{
    /*
     * mov eax, cr4; or eax, PAE (0x20); mov cr4, eax; mov eax, PT; mov cr3, eax;
     * mov ecx, EFER; rdmsr; or eax, LME; wrmsr; mov eax, cr0; or eax, PG; mov cr0, eax;
     * jmp K_CODE64:next; next: (64-bit) hlt
     */
    const uint8_t code[] = {
        0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x20,     0x0f, 0x22, 0xe0,             /* 0: cr4 |= PAE */
        0xb8, 0x00, 0x00, 0x10, 0x00, 0x0f,     0x22, 0xd8,                   /* 9: cr3 = PT */
        0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f,     0x32, 0x0d, 0x00, 0x01,       /* 17: efer.lme */
        0x00, 0x00, 0x0f, 0x30,                                               /* 27 */
        0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00,     0x00, 0x80, 0x0f, 0x22, 0xc0, /* 31: cr0.pg */
        0xea, 0x31, 0x00, 0x01, 0x00, K_CODE64, 0x00,                         /* 42: ljmp */
        0xf4,                                                                 /* 49: hlt */
    };
    struct cpu *c = boot32(code, sizeof code);
    map64();
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + 50);
    cr_assert(c->efer & EFER_LMA);
    cr_assert_eq(c->mode, MODE_LONG64);
}

Test(cpu_paging, long_mode_syscall_sysret_and_ring3_interrupt)
{
    /*
     * kernel: mov ecx, STAR; mov edx, 0x00130030 (SYSRET base 0x10 -> CS 0x23, SS 0x1b;
     * SYSCALL CS 0x30); xor eax, eax; wrmsr; mov ecx, LSTAR; mov eax, HANDLER+0x800;
     * xor edx, edx; wrmsr; mov ecx, USER; mov r11d, 0x202; sysretq
     * user (64-bit): syscall
     * HANDLER+0x800: hlt
     */
    const uint8_t code[] = {
        0xb9, 0x81, 0x00, 0x00, 0xc0, 0xba, 0x30, 0x00, 0x13, 0x00, 0x31, 0xc0, 0x0f, 0x30,
        0xb9, 0x82, 0x00, 0x00, 0xc0, 0xb8, 0x00, 0x08, 0x02, 0x00, 0x31, 0xd2, 0x0f, 0x30,
        0xb9, 0x00, 0x00, 0x03, 0x00, 0x41, 0xbb, 0x02, 0x02, 0x00, 0x00, 0x48, 0x0f, 0x07,
    };
    const uint8_t user[] = {0x0f, 0x05};
    struct cpu *c = boot64(code, sizeof code);
    c->efer |= EFER_SCE;
    put(USER, user, sizeof user);
    m.ram[HANDLER + 0x800] = 0xf4;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, HANDLER + 0x801);
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->seg[SEG_CS].sel, K_CODE64);
    cr_assert_eq(c->gpr[REG_RCX], USER + 2, "return RIP in RCX");
    cr_assert_eq(c->gpr[REG_R11] & 0x202, 0x202, "RFLAGS in R11");

    /* the same user code taking an interrupt: RSP0 from the 64-bit TSS, SS null */
    c = boot64(code, sizeof code);
    c->efer |= EFER_SCE;
    put(USER, (const uint8_t[]){0x90, 0x90}, 2);
    put64(TSS + 4, STACK - 0x100);
    cr_assert_eq(cpu_run(c, 12), CPU_EXIT_BUDGET); /* 11 kernel instructions, one user NOP */
    cr_assert_eq(c->cpl, 3);
    c->tr.limit = 0x67;
    cpu_interrupt(c, 0x41);
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->rip, HANDLER + 16 * 0x41);
    cr_assert_eq(c->gpr[REG_RSP], STACK - 0x100 - 40);
    cr_assert_eq(c->seg[SEG_SS].sel, 0);
    cr_assert_eq(get64(STACK - 0x100 - 32), 0x23 | 0, "user CS 0x23 (STAR[63:48] + 16, RPL 3)");
}

/* whatever the guest puts in its tables, the host survives and the CPU faults or runs */
Test(cpu_paging, garbage_tables_never_crash_the_host)
{
    static const uint8_t none[1] = {0x90};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned ran = 0;
    for (unsigned round = 0; round < 400; round++) {
        struct cpu *c = boot32(none, sizeof none);
        /* every other round keeps the descriptor tables and scrambles only code and data */
        uint32_t from = round & 2 ? CODE : 0;
        for (uint32_t k = from; k < 0x40000; k += 8) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            put64(k, x);
        }
        for (uint32_t k = PT; k < PT + 0x4000; k += 8) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            put64(k, round & 4 ? (x & ~0xfff000ull) | (PT & 0xfff000) : x);
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (!(round & 2)) {
            c->gdtr = (struct dtr){x & 0x3ffff, (uint16_t)(x >> 20)};
            c->idtr = (struct dtr){(x >> 8) & 0x3ffff, (uint16_t)(x >> 40)};
        }
        c->rip = CODE + ((x >> 3) & 0xffff);
        c->gpr[REG_RSP] = round & 2 ? STACK : x >> 32;
        if (round & 1) {
            c->cr3 = PT;
            c->cr4 = (x & 1 ? CR4_PAE : 0) | (x & 2 ? CR4_PSE : 0);
            c->cr0 |= CR0_PG;
            if ((x & 5) == 5) {
                c->efer = EFER_LME | EFER_LMA | EFER_NXE;
                c->seg[SEG_CS].attr |= SEG_ATTR_L;
                c->seg[SEG_CS].attr &= ~SEG_ATTR_DB;
            }
            cpu_tlb_flush(c);
            cpu_update_mode(c);
        }
        if (round % 3 == 0)
            c->cpl = 3;
        for (unsigned n = 0; n < 20; n++) {
            enum cpu_exit e = cpu_run(c, 500);
            if (e == CPU_EXIT_SHUTDOWN)
                break;
            ran++;
            cpu_interrupt(c, (uint8_t)(x >> (n % 56)));
        }
    }
    cr_assert_gt(ran, 1000, "most rounds should run a while, not triple-fault at once");
}

Test(cpu_paging, pae_2m_page_and_user_access_to_supervisor_page)
{
    /* mov eax, cr0; or eax, PG; mov cr0, eax; mov eax, [0x00200010]; hlt */
    const uint8_t code[] = {0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f,
                            0x22, 0xc0, 0xa1, 0x10, 0x00, 0x20, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    /* PDPT at PT, one PD at PT+0x1000: 0-2 MiB and 2-4 MiB both map physical 0 */
    put64(PT, (PT + 0x1000) | PTE_P);
    put64(PT + 0x1000, 0 | PTE_P | PTE_W | PTE_U | PTE_PS);
    put64(PT + 0x1008, 0 | PTE_P | PTE_W | PTE_U | PTE_PS);
    put32(0x10, 0xfeedf00d);
    c->cr3 = PT;
    c->cr4 = CR4_PAE;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq((uint32_t)c->gpr[REG_RAX], 0xfeedf00d);
    cr_assert(get64(PT + 0x1008) & PTE_A);
    cr_assert_eq(get64(PT + 0x1008) & PTE_D, 0);

    /* the same read from ring 3 of a supervisor page: #PF U|P, delivered on the ring-0 stack */
    const uint8_t to3[] = {0x0f, 0x20,   0xc0,   0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0,
                           0x6a, U_DATA, 0x68,   0x00, 0x00, 0x07, 0x00, 0x68, 0x02, 0x02, 0x00,
                           0x00, 0x6a,   U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    /* mov ax, U_DATA; mov ds, ax (the IRET to ring 3 nulled DS); mov eax, [0x200010] */
    const uint8_t user[] = {0x66, 0xb8, U_DATA, 0x00, 0x8e, 0xd8, 0xa1, 0x10, 0x00, 0x20, 0x00};
    c = boot32(to3, sizeof to3);
    put(USER, user, sizeof user);
    put64(PT, (PT + 0x1000) | PTE_P);
    put64(PT + 0x1000, 0 | PTE_P | PTE_W | PTE_U | PTE_PS);
    put64(PT + 0x1008, 0 | PTE_P | PTE_W | PTE_PS); /* supervisor only */
    c->cr3 = PT;
    c->cr4 = CR4_PAE;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_PF);
    cr_assert_eq(get32(STACK - 24), PFERR_U | PFERR_P);
    cr_assert_eq(get32(STACK - 20), USER + 6);
    cr_assert_eq(c->cr2, 0x200010);
}

Test(cpu_paging, long_mode_1g_page_invlpg_and_cr3_reload)
{
    /*
     * mov rax, [0x40000008]; mov dword [PT+0x1008], 0 (unmap); mov rbx, [0x40000008]
     * (still cached: no INVLPG yet, allowed); invlpg [0x40000008]; mov rcx, [0x40000008]: #PF
     */
    const uint8_t code[] = {
        0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x00, 0x40,                   /* 0 */
        0xc7, 0x04, 0x25, 0x08, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, /* 8 */
        0x48, 0x8b, 0x1c, 0x25, 0x08, 0x00, 0x00, 0x40,                   /* 19 */
        0x0f, 0x01, 0x3c, 0x25, 0x08, 0x00, 0x00, 0x40,                   /* 27 */
        0x48, 0x8b, 0x0c, 0x25, 0x08, 0x00, 0x00, 0x40,                   /* 35 */
    };
    struct cpu *c = boot64(code, sizeof code);
    put64(PT + 0x1008, 0 | PTE_P | PTE_W | PTE_PS); /* 1 GiB page at 1 GiB -> physical 0 */
    put64(8, 0x1122334455667788ull);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_PF);
    cr_assert_eq(c->gpr[REG_RAX], 0x1122334455667788ull);
    cr_assert_eq(c->gpr[REG_RBX], 0x1122334455667788ull);
    cr_assert_eq(get64(STACK - 40), CODE + 35, "the load after INVLPG faults");
    cr_assert_eq(c->cr2, 0x40000008);
}

Test(cpu_paging, swapgs_and_lldt)
{
    /* swapgs; mov rax, gs:[0]; hlt */
    const uint8_t code[] = {0x0f, 0x01, 0xf8, 0x65, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0, 0xf4};
    struct cpu *c = boot64(code, sizeof code);
    c->kernel_gs_base = 0x5000;
    put64(0x5000, 0xabcdef);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RAX], 0xabcdef);
    cr_assert_eq(c->seg[SEG_GS].base, 0x5000);
    cr_assert_eq(c->kernel_gs_base, 0);

    /* 32-bit: lldt ax (an LDT at 0x6000 with one data segment); mov ds, 0x04|... */
    const uint8_t l[] = {0x66, 0xb8, 0x48, 0x00, 0x0f, 0x00, 0xd0,  /* mov ax, 0x48; lldt ax */
                         0x66, 0xb8, 0x0c, 0x00, 0x8e, 0xd8, 0xf4}; /* mov ax, 0x0c; mov ds, ax */
    c = boot32(l, sizeof l);
    c->gdtr.limit = 0x4f;
    put64(GDT + 0x48, desc(0x6000, 0x17, 0x82, 0));
    put64(0x6008, desc(0x777000, 0xfff, 0x93, 0));
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->ldtr.base, 0x6000);
    cr_assert_eq(c->seg[SEG_DS].base, 0x777000);
    cr_assert_eq(c->seg[SEG_DS].sel, 0x0c);
}

Test(cpu_paging, long_mode_user_page_fault_and_iretq_back_to_ring3)
{
    /* sysretq to USER as in the test above; user: mov rax, [0x40000000] (unmapped); hlt */
    const uint8_t code[] = {
        0xb9, 0x81, 0x00, 0x00, 0xc0, 0xba, 0x30, 0x00, 0x13, 0x00, 0x31, 0xc0, 0x0f, 0x30,
        0xb9, 0x00, 0x00, 0x03, 0x00, 0x41, 0xbb, 0x02, 0x02, 0x00, 0x00, 0x48, 0x0f, 0x07,
    };
    const uint8_t user[] = {0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x40, 0xf4};
    struct cpu *c = boot64(code, sizeof code);
    c->efer |= EFER_SCE;
    put(USER, user, sizeof user);
    put64(GDT + 0x18, desc(0, 0xfffff, 0xf3, 0xc)); /* SYSRET's SS 0x1b: user data */
    put64(GDT + 0x20, desc(0, 0xfffff, 0xfb, 0xa)); /* SYSRET's CS 0x23: 64-bit user code */
    put64(TSS + 4, STACK - 0x100);                  /* RSP0 */
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_PF);
    uint32_t f = STACK - 0x100 - 48;
    cr_assert_eq(c->gpr[REG_RSP], f);
    cr_assert_eq(get64(f), PFERR_U, "user read, not present");
    cr_assert_eq(get64(f + 8), USER);
    cr_assert_eq(get64(f + 16), 0x23);
    cr_assert_eq(get64(f + 40), 0x1b);
    cr_assert_eq(c->cr2, 0x40000000);

    /* the handler skips the load and returns: add rsp, 8; iretq -- then the user HLT is #GP */
    put64(f + 8, USER + 8);
    const uint8_t ret[] = {0x48, 0x83, 0xc4, 0x08, 0x48, 0xcf};
    put(HANDLER + 0xb00, ret, sizeof ret);
    c->rip = HANDLER + 0xb00;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_GP);
    cr_assert_eq(get64(f + 8), USER + 8, "the #GP of the user HLT, on the same RSP0 frame");
    cr_assert_eq(get64(f + 16), 0x23);
}

/* 32-bit paging with every page supervisor but 0x6000 (data) and USER (code) */
static struct cpu *boot_smx(const uint8_t *code, size_t len, uint32_t cr4)
{
    struct cpu *c = boot32(code, len);
    map32();
    for (uint32_t p = 0; p < 1024; p++)
        put32(PT + 0x1000 + p * 4, (p << 12) | PTE_P | PTE_W);
    put32(PT + 0x1000 + 6 * 4, 0x6000 | PTE_P | PTE_W | PTE_U);
    put32(PT + 0x1000 + (USER >> 12) * 4, USER | PTE_P | PTE_W | PTE_U);
    put32(0x6000, 0x12345678);
    m.ram[USER] = 0xc3; /* ret */
    c->cr3 = PT;
    c->cr4 = cr4;
    return c;
}

/* mov eax, cr0; or eax, PG; mov cr0, eax */
#define PAGING_ON 0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0

Test(cpu_paging, smep_refuses_supervisor_fetch_from_user_page)
{
    /* paging on; mov eax, USER; call eax; hlt */
    const uint8_t code[] = {PAGING_ON, 0xb8, 0x00, 0x00, 0x03, 0x00, 0xff, 0xd0, 0xf4};
    struct cpu *c = boot_smx(code, sizeof code, CR4_SMEP);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_PF);
    cr_assert_eq(c->cr2, USER);
    cr_assert_eq(get32(STACK - 20), PFERR_I | PFERR_P, "a protection fault on a fetch");
    cr_assert_eq(get32(STACK - 16), USER, "the fetch's EIP");

    c = boot_smx(code, sizeof code, 0);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->rip, CODE + sizeof code, "without SMEP the call returns");
}

Test(cpu_paging, smap_refuses_supervisor_data_access_unless_ac)
{
    /* paging on; stac; mov eax, [0x6000]; clac; mov ebx, [0x6000]; hlt */
    const uint8_t code[] = {PAGING_ON, 0x0f, 0x01, 0xcb, 0xa1, 0x00, 0x60, 0x00, 0x00, 0x0f,
                            0x01,      0xca, 0x8b, 0x1d, 0x00, 0x60, 0x00, 0x00, 0xf4};
    struct cpu *c = boot_smx(code, sizeof code, CR4_SMAP);
    expect_fault(c, VEC_PF, PFERR_P, CODE + 11 + 3 + 5 + 3);
    cr_assert_eq(c->gpr[REG_RAX], 0x12345678, "allowed with AC set");
    cr_assert_eq(c->cr2, 0x6000, "refused after CLAC, though the page was in the TLB");

    c = boot_smx(code, sizeof code, 0);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    cr_assert_eq(c->gpr[REG_RBX], 0x12345678, "without SMAP both loads pass");
}

Test(cpu_paging, stac_at_cpl3_is_ud)
{
    const uint8_t code[] = {0x6a, U_DATA, 0x68, 0x00,   0x00, 0x07, 0x00, 0x68, 0x02, 0x02,
                            0x00, 0x00,   0x6a, U_CODE, 0x68, 0x00, 0x00, 0x03, 0x00, 0xcf};
    const uint8_t user[] = {0x0f, 0x01, 0xcb};
    struct cpu *c = boot32(code, sizeof code);
    put(USER, user, sizeof user);
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    assert_in_handler(c, VEC_UD);
}

/*
 * RAM above 4 GiB (struct cpu_bus ram_high): PAE maps linear pages to it,
 * and a page table that lives there is walked, with its accessed bit set.
 * What lies past its end is no RAM: reads give all ones.
 */
Test(cpu_paging, pae_reaches_the_second_ram_region)
{
    static uint8_t high[64 << 10];
    const uint64_t base = 1ull << 32;
    /* mov eax, cr0; or eax, PG; mov cr0, eax; mov dword [0x200000], 0x11223344;
     * mov eax, [0x400000]; mov ebx, [0x201000]; hlt */
    const uint8_t code[] = {0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0,
                            0xc7, 0x05, 0x00, 0x00, 0x20, 0x00, 0x44, 0x33, 0x22, 0x11, 0xa1,
                            0x00, 0x00, 0x40, 0x00, 0x8b, 0x1d, 0x00, 0x10, 0x20, 0x00, 0xf4};
    struct cpu *c = boot32(code, sizeof code);
    memset(high, 0, sizeof high);
    m.bus.ram_high = high;
    m.bus.ram_high_base = base;
    m.bus.ram_high_size = sizeof high;
    put64(PT, (PT + 0x1000) | PTE_P);                             /* PDPTE 0 -> PD */
    put64(PT + 0x1000, 0 | PTE_P | PTE_W | PTE_PS);               /* 0..2 MiB: identity */
    put64(PT + 0x1000 + 8, (PT + 0x2000) | PTE_P | PTE_W);        /* 2 MiB.. -> PT in low RAM */
    put64(PT + 0x1000 + 16, (base + 0x8000) | PTE_P | PTE_W);     /* 4 MiB.. -> PT in high RAM */
    put64(PT + 0x2000, base | PTE_P | PTE_W);                     /* 0x200000 -> 4 GiB */
    put64(PT + 0x2000 + 8, (base + sizeof high) | PTE_P | PTE_W); /* 0x201000 -> past the end */
    uint64_t pte = (base + 0x2000) | PTE_P | PTE_W;
    memcpy(high + 0x8000, &pte, 8); /* 0x400000 -> 4 GiB + 8 KiB */
    uint32_t want = 0xcafef00d;
    memcpy(high + 0x2000, &want, 4);
    c->cr4 = CR4_PAE;
    c->cr3 = PT;
    cr_assert_eq(run(c), CPU_EXIT_HLT);
    uint32_t got;
    memcpy(&got, high, 4);
    cr_assert_eq(got, 0x11223344, "the store landed at 4 GiB");
    cr_assert_eq((uint32_t)c->gpr[REG_RAX], want, "through a page table in high RAM");
    cr_assert(high[0x8000] & PTE_A, "A set in the high-RAM page table");
    cr_assert_eq((uint32_t)c->gpr[REG_RBX], 0xffffffffu, "past the region: no RAM");
}
