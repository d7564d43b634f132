/*
 * triple_fault: a triple fault on purpose (SDM Vol 3A 6.15 interrupt 8:
 * a fault while the CPU delivers a double fault shuts it down), the way a
 * kernel stack overflow does it. Paging maps the low 4 MiB but for the page
 * under ESP, so no exception frame can be pushed: #UD's delivery raises #PF,
 * the #PF's delivery raises #PF again, which makes #DF (table 6-5), whose
 * delivery faults once more: shutdown. QEMU resets (-no-reboot: exits 0),
 * baremu stops with "triple fault". The runner expects it (tests.list:
 * expect=triple).
 *
 * no-triple on the command line exits cleanly instead, so check-runner can
 * see the runner fail a test that was to triple-fault and did not.
 */
#include "rt/guest.h"

#define PAGE      4096u
#define PTE_P     0x001u
#define PTE_W     0x002u
#define CR0_PG    0x80000000u
#define ENTRIES   1024
#define STACK_TOP 0x400000u /* the end of the mapped 4 MiB */
#define HOLE      (STACK_TOP - PAGE)

static uint32_t pd[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt[ENTRIES] __attribute__((aligned(PAGE)));

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;

    tap_plan(2);
    for (unsigned k = 0; k < ENTRIES; k++)
        pt[k] = k * PAGE | PTE_P | PTE_W;
    pt[HOLE / PAGE] = 0;
    pd[0] = (uint32_t)(uintptr_t)pt | PTE_P | PTE_W;
    tap_ok((uintptr_t)pt < HOLE && (uintptr_t)&pd[ENTRIES] <= HOLE,
           "the page tables lie below the hole at 0x%x", HOLE);
    __asm__ volatile("mov %0, %%cr3\n\tmov %%cr0, %%eax\n\tor %1, %%eax\n\tmov %%eax, %%cr0"
                     :
                     : "r"(pd), "i"(CR0_PG)
                     : "eax", "memory");
    tap_ok(true, "paging on with the low 4 MiB mapped but one page");
    if (arg_present("no-triple"))
        tap_done();
    printf("# now: ESP at 0x%x, the page below it not present, UD2\n", STACK_TOP);
    uart_flush();
    __asm__ volatile("mov %0, %%esp\n\tud2" : : "i"(STACK_TOP));
    tap_bail("still running after the triple fault");
}
