/*
 * The 32-bit IDT. Every vector has a stub (vectors.S) that calls
 * rt_dispatch(): a handler the test installed with idt_set_handler() takes
 * the trap, anything else reports and exits, so a guest that faults says
 * where instead of triple-faulting into a reset. Gate format: SDM Vol 3A
 * 6.11, figure 6-2.
 */
#include "guest.h"

#define IDT_VECTORS    256
#define EXC_VECTORS    32
#define GATE_INTR32    0x8E /* present, DPL 0, 32-bit interrupt gate */
#define GATE_DPL_SHIFT 5

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

extern void (*const trap_vectors[IDT_VECTORS])(void); /* vectors.S */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(8)));
static trap_handler handlers[IDT_VECTORS];

static const char *const exc_names[EXC_VECTORS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "15",  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    "22",  "23",  "24",  "25",  "26",  "27",  "#HV", "#VC", "#SX", "31",
};

void idt_set_stub(uint8_t vector, void (*stub)(void), unsigned dpl)
{
    uintptr_t a = (uintptr_t)stub;

    idt[vector] = (struct idt_gate){
        .offset_lo = a & 0xFFFF,
        .selector = SEL_KCODE,
        .type_attr = (uint8_t)(GATE_INTR32 | (dpl & 3) << GATE_DPL_SHIFT),
        .offset_hi = a >> 16,
    };
}

void idt_set_gate(uint8_t vector, void (*stub)(void))
{
    idt_set_stub(vector, stub, 0);
}

void idt_set_handler(uint8_t vector, trap_handler fn, unsigned dpl)
{
    handlers[vector] = fn;
    idt_set_stub(vector, trap_vectors[vector], dpl);
}

void idt_clear_handler(uint8_t vector)
{
    handlers[vector] = NULL;
    idt_set_stub(vector, trap_vectors[vector], 0);
}

void idt_load(void)
{
    struct idt_desc d = {.limit = sizeof(idt) - 1, .base = (uintptr_t)idt};

    __asm__ volatile("lidt %0" : : "m"(d));
}

void idt_init(void)
{
    for (int v = 0; v < IDT_VECTORS; v++)
        idt_set_stub((uint8_t)v, trap_vectors[v], 0);
    idt_load();
}

static uint32_t read_cr2(void)
{
    uint32_t v;

    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

void rt_dispatch(struct trap_frame *f)
{
    trap_handler fn = handlers[f->vector & (IDT_VECTORS - 1)];

    if (fn)
        fn(f);
    else
        rt_trap(f);
}

void rt_trap(struct trap_frame *f)
{
    char name[12];

    if (f->vector < EXC_VECTORS)
        snprintf(name, sizeof(name), "%s", exc_names[f->vector]);
    else
        snprintf(name, sizeof(name), "interrupt");
    printf("Bail out! unexpected exception %s (vector %u) error=0x%x at eip=%08x\n", name,
           f->vector, f->error, f->eip);
    printf("# eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x\n", f->eax, f->ebx,
           f->ecx, f->edx, f->esi, f->edi, f->ebp);
    printf("# cs=%04x eflags=%08x cr2=%08x ds=%04x", f->cs & 0xFFFF, f->eflags, read_cr2(),
           f->ds & 0xFFFF);
    if (f->cs & 3)
        printf(" ring-3 ss:esp=%04x:%08x", f->ss & 0xFFFF, f->esp);
    printf("\n");
    guest_exit(GUEST_CRASH);
}
