/*
 * kernel/trap.c: the host IDT. A CPU exception in the kernel is a host bug:
 * stop the other cores, print everything (core, vector, error code,
 * registers, control registers, a stack trace), then stop. Never silent.
 * Vectors 32..255 are host interrupts, dispatched to their handlers.
 *
 * Compiled with -mgeneral-regs-only: interrupts must not disturb SSE state.
 */
#include <stdint.h>

#include "boot/boot.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/kernel.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "kernel/apic.h"
#include "kernel/gdt.h"
#include "kernel/smp.h"

#define IDT_ENTRIES 256
#define TRAP_STUB_SIZE 16
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate (SDM Vol 3A 6.14.1) */
#define STACK_TRACE_DEPTH 16

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[IDT_ENTRIES];
extern const char trap_stubs[];
extern const char __kernel_start[], __kernel_end[];

static const char *const exception_names[NUM_EXCEPTIONS] = {
    [VEC_DE] = "#DE divide error",       [VEC_DB] = "#DB debug",
    [VEC_NMI] = "NMI",                   [VEC_BP] = "#BP breakpoint",
    [VEC_OF] = "#OF overflow",           [VEC_BR] = "#BR bound range",
    [VEC_UD] = "#UD invalid opcode",     [VEC_NM] = "#NM device not available",
    [VEC_DF] = "#DF double fault",       [VEC_TS] = "#TS invalid TSS",
    [VEC_NP] = "#NP segment not present", [VEC_SS] = "#SS stack fault",
    [VEC_GP] = "#GP general protection", [VEC_PF] = "#PF page fault",
    [VEC_MF] = "#MF x87 error",          [VEC_AC] = "#AC alignment check",
    [VEC_MC] = "#MC machine check",      [VEC_XM] = "#XM SIMD error",
    [VEC_VE] = "#VE virtualization",     [VEC_CP] = "#CP control protection",
};

static void idt_set(unsigned vec, uint64_t handler, uint8_t ist)
{
    idt[vec] = (struct idt_gate){
        .offset_lo = (uint16_t)handler,
        .selector = BOOT_CS64,
        .ist = ist,
        .type_attr = GATE_INTERRUPT,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_hi = (uint32_t)(handler >> 32),
    };
}

void trap_init(void)
{
    if (!idt[0].type_attr)
        for (unsigned v = 0; v < IDT_ENTRIES; v++) {
            /* NMI, #DF and #MC get IST stacks once this core has a TSS; 0 before */
            uint8_t ist = v == VEC_NMI ? IST_NMI : v == VEC_DF ? IST_DF : v == VEC_MC ? IST_MC : 0;
            idt_set(v, (uint64_t)(uintptr_t)(trap_stubs + v * TRAP_STUB_SIZE), ist);
        }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

static int in_kernel_image(uint64_t addr)
{
    return addr >= (uintptr_t)__kernel_start && addr < (uintptr_t)__kernel_end;
}

static void print_stack_trace(uint64_t rbp)
{
    kprintf("stack trace (return addresses; addr2line -e build/baremu.elf):\n");
    for (int i = 0; i < STACK_TRACE_DEPTH && rbp && !(rbp & 7) && in_kernel_image(rbp); i++) {
        const uint64_t *fp = (const uint64_t *)(uintptr_t)rbp;
        kprintf("  #%d %#llx\n", i, (unsigned long long)fp[1]);
        if (fp[0] <= rbp)
            break; /* frames grow upwards; anything else is a corrupt chain */
        rbp = fp[0];
    }
}

static void dump_frame(const struct trap_frame *f)
{
    const char *name = f->vector < NUM_EXCEPTIONS && exception_names[f->vector]
                           ? exception_names[f->vector]
                           : "reserved exception";
    kprintf("\n*** host CPU exception on cpu %u: %s (vector %llu), error code %#llx\n",
            this_cpu_index(), name, (unsigned long long)f->vector,
            (unsigned long long)f->error_code);
#define R(x) (unsigned long long)(x)
    kprintf("rip %016llx cs %04llx rflags %016llx\n", R(f->rip), R(f->cs), R(f->rflags));
    kprintf("rsp %016llx ss %04llx\n", R(f->rsp), R(f->ss));
    kprintf("rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", R(f->rax), R(f->rbx), R(f->rcx),
            R(f->rdx));
    kprintf("rsi %016llx rdi %016llx rbp %016llx\n", R(f->rsi), R(f->rdi), R(f->rbp));
    kprintf("r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", R(f->r8), R(f->r9), R(f->r10),
            R(f->r11));
    kprintf("r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", R(f->r12), R(f->r13), R(f->r14),
            R(f->r15));
    kprintf("cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n", R(read_cr0()), R(read_cr2()),
            R(read_cr3()), R(read_cr4()));
#undef R
    print_stack_trace(f->rbp);
}

void trap_set_handler(uint8_t vector, irq_handler_t h) { irq_handlers[vector] = h; }

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector == VEC_NMI && smp_stopping())
        cpu_halt_forever(); /* another core is stopping the machine */
    if (f->vector < NUM_EXCEPTIONS) {
        /* every exception in the host kernel is fatal */
        smp_stop_others();
        console_panic_mode();
        dump_frame(f);
        kernel_stop(KERNEL_EXIT_FAULT);
    }
    irq_handler_t h = irq_handlers[f->vector];
    if (h)
        h(f);
    if (f->vector != VEC_SPURIOUS) /* a spurious interrupt takes no EOI (SDM Vol 3A 11.9) */
        apic_eoi();
}
