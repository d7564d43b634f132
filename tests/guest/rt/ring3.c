/*
 * Ring 3 for guest tests: the TSS that gives a trap from ring 3 its ring-0
 * stack (SDM Vol 3A 7.2.1, 6.12.1), the GDT helpers, and the DPL-3 syscall
 * gate. ring3_call itself is in ring3.S.
 */
#include "guest.h"

#define DESC_TSS32_AVAIL 0x89 /* present, DPL 0, available 32-bit TSS */
#define DESC_G           0x8  /* flags nibble: 4 KiB granularity */

struct tss32 rt_tss __attribute__((aligned(128)));
static syscall_fn syscalls[SYS_MAX];

extern void ring3_return_stub(void); /* ring3.S */

/* SDM Vol 3A figure 3-8: access byte (P DPL S type), flags nibble (G D/B L AVL) */
uint64_t gdt_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 | (uint64_t)access << 40 |
           (uint64_t)(limit >> 16 & 0xF) << 48 | (uint64_t)(flags & 0xF) << 52 |
           (uint64_t)(base >> 24) << 56;
}

/* SDM Vol 3A figure 5-8 (call gate); the type says which gate */
uint64_t gdt_gate(uint16_t sel, uint32_t offset, uint8_t type, uint8_t dpl, uint8_t params)
{
    return (uint64_t)(offset & 0xFFFF) | (uint64_t)sel << 16 | (uint64_t)(params & 0x1F) << 32 |
           (uint64_t)(0x80 | (dpl & 3) << 5 | (type & 0xF)) << 40 | (uint64_t)(offset >> 16) << 48;
}

void gdt_set(unsigned index, uint64_t desc)
{
    if (index < GDT_FREE_FIRST || index >= GDT_ENTRIES)
        tap_bail("gdt_set: slot %u is not a test's (%u..%u)", index, GDT_FREE_FIRST,
                 GDT_ENTRIES - 1);
    rt_gdt[index] = desc;
}

void syscall_set(unsigned n, syscall_fn fn)
{
    if (n < SYS_USER || n >= SYS_MAX)
        tap_bail("syscall_set: number %u is not a test's (%u..%u)", n, SYS_USER, SYS_MAX - 1);
    syscalls[n] = fn;
}

static void syscall_trap(struct trap_frame *f)
{
    switch (f->eax) {
    case SYS_PUTC:
        uart_putc((char)f->ebx);
        f->eax = 0;
        return;
    case SYS_EXIT:
        guest_exit((int)f->ebx);
    default:
        if (f->eax < SYS_MAX && syscalls[f->eax]) {
            f->eax = syscalls[f->eax](f);
            return;
        }
        tap_bail("unknown syscall %u from cs=%04x eip=%08x", f->eax, f->cs & 0xFFFF, f->eip);
    }
}

void ring3_init(void)
{
    uint32_t base = (uint32_t)(uintptr_t)&rt_tss;

    rt_tss.ss0 = SEL_KDATA;
    rt_tss.esp0 = (uint32_t)(uintptr_t)ring0_stack_top;
    rt_tss.iomap_base = __builtin_offsetof(struct tss32, iomap);
    memset(rt_tss.iomap, 0xFF, sizeof(rt_tss.iomap));
    rt_gdt[SEL_TSS >> 3] = gdt_segment(base, sizeof(rt_tss) - 1, DESC_TSS32_AVAIL, 0);
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));

    idt_set_handler(SYSCALL_VECTOR, syscall_trap, 3);
    idt_set_stub(RING3_RETURN_VECTOR, ring3_return_stub, 3);
}
