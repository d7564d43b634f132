/*
 * A 32-bit IDT whose exception vectors report the fault and exit, so a
 * guest that faults says where instead of triple-faulting into a reset.
 * Gate format: SDM Vol 3 6.11, figure 6-2.
 */
#include "guest.h"

#define IDT_VECTORS 256
#define EXC_VECTORS 32
#define SEL_CODE    0x08 /* crt0's GDT */
#define GATE_INTR32 0x8E /* present, DPL 0, 32-bit interrupt gate */

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t offset_hi;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 8, "idt gate layout");

struct idt_desc {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern void (*const trap_vectors[EXC_VECTORS])(void); /* vectors.S */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(8)));

static const char *const exc_names[EXC_VECTORS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "15",  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    "22",  "23",  "24",  "25",  "26",  "27",  "#HV", "#VC", "#SX", "31",
};

void idt_set_gate(uint8_t vector, void (*stub)(void))
{
    uintptr_t a = (uintptr_t)stub;

    idt[vector] = (struct idt_gate){
        .offset_lo = a & 0xFFFF,
        .selector = SEL_CODE,
        .type_attr = GATE_INTR32,
        .offset_hi = a >> 16,
    };
}

void idt_load(void)
{
    struct idt_desc d = {.limit = sizeof(idt) - 1, .base = (uintptr_t)idt};

    __asm__ volatile("lidt %0" : : "m"(d));
}

void idt_init(void)
{
    for (int v = 0; v < EXC_VECTORS; v++)
        idt_set_gate((uint8_t)v, trap_vectors[v]);
    idt_load();
}

static uint32_t read_cr2(void)
{
    uint32_t v;

    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

void rt_trap(struct trap_frame *f)
{
    printf("Bail out! unexpected exception %s (vector %u) error=0x%x at eip=%08x\n",
           exc_names[f->vector % EXC_VECTORS], f->vector, f->error, f->eip);
    printf("# eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x\n", f->eax, f->ebx,
           f->ecx, f->edx, f->esi, f->edi, f->ebp);
    printf("# cs=%04x eflags=%08x cr2=%08x\n", f->cs, f->eflags, read_cr2());
    guest_exit(GUEST_CRASH);
}
