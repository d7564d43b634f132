/*
 * smep_smap: supervisor-mode execution and access prevention (SDM Vol 3A
 * 4.6.1), where CPUID.7.0:EBX offers them (bits 7 and 20; tests.list asks
 * QEMU for qemu64,+smep,+smap). 32-bit paging maps the low 4 MiB as
 * supervisor pages and one user page at 8 MiB:
 *  - SMEP: a ring-0 jump to the user page is #PF I|P, CR2 the target;
 *  - SMAP: a ring-0 read of it is #PF P; after STAC it passes; after CLAC
 *    it faults again, though the page was just used (the TLB must not keep
 *    what only AC allowed); STAC at CPL 3 is #UD.
 */
#include "rt/guest.h"

#define PAGE      4096u
#define ENTRIES   1024
#define PTE_P     0x1u
#define PTE_W     0x2u
#define PTE_U     0x4u
#define CR0_PG    0x80000000u
#define CR4_SMEP  (1u << 20)
#define CR4_SMAP  (1u << 21)
#define EBX7_SMEP (1u << 7)
#define EBX7_SMAP (1u << 20)
#define PF_P      0x1u
#define PF_I      0x10u
#define LIN_USER  0x800000u
#define VEC_UD    6
#define VEC_PF    14

static uint32_t pd[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_low[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_user[ENTRIES] __attribute__((aligned(PAGE)));
static uint8_t user_frame[PAGE] __attribute__((aligned(PAGE)));

uint32_t resume_at;
static volatile struct {
    uint32_t n, vector, error, eip, cr2;
} got;

static void catcher(struct trap_frame *f)
{
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    got.n++;
    got.vector = f->vector;
    got.error = f->error;
    got.eip = f->eip;
    got.cr2 = cr2;
    f->eip = resume_at;
}

static uint32_t read_user(void)
{
    uint32_t v = 0;
    got.n = 0;
    __asm__ volatile("movl $1f, resume_at\n\tmovl (%1), %0\n1:"
                     : "+r"(v)
                     : "r"(LIN_USER)
                     : "memory");
    return v;
}

static int user_stac(void *arg)
{
    (void)arg;
    got.n = 0;
    __asm__ volatile("movl $1f, resume_at\n\t.byte 0x0f, 0x01, 0xcb\n1:" ::: "memory");
    return 0;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    uint32_t a, b, c, d, cr0, cr4;
    (void)magic;
    (void)mbi;

    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    if ((b & (EBX7_SMEP | EBX7_SMAP)) != (EBX7_SMEP | EBX7_SMAP)) {
        tap_skip("no SMEP/SMAP in CPUID.7.0:EBX", "SMEP and SMAP");
        tap_done();
    }
    tap_ok(true, "CPUID offers SMEP and SMAP (EBX 0x%x)", b);
    for (unsigned k = 0; k < ENTRIES; k++)
        pt_low[k] = k * PAGE | PTE_P | PTE_W; /* supervisor: ring 3 runs nowhere here */
    pt_user[0] = (uint32_t)(uintptr_t)user_frame | PTE_P | PTE_W | PTE_U;
    pd[0] = (uint32_t)(uintptr_t)pt_low | PTE_P | PTE_W | PTE_U;
    pd[LIN_USER >> 22] = (uint32_t)(uintptr_t)pt_user | PTE_P | PTE_W | PTE_U;
    user_frame[0] = 0xC3; /* ret */
    *(volatile uint32_t *)&user_frame[4] = 0xA5A5A5A5;
    idt_set_handler(VEC_PF, catcher, 0);
    idt_set_handler(VEC_UD, catcher, 0);

    __asm__ volatile("mov %%cr0, %0; mov %%cr4, %1" : "=r"(cr0), "=r"(cr4));
    __asm__ volatile("mov %0, %%cr3" : : "r"(pd) : "memory");
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_SMEP | CR4_SMAP) : "memory");
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");

    got.n = 0;
    __asm__ volatile("movl $1f, resume_at\n\tjmp *%0\n1:" : : "r"(LIN_USER) : "memory");
    tap_ok(got.n == 1 && got.vector == VEC_PF && got.error == (PF_I | PF_P) &&
               got.cr2 == LIN_USER && got.eip == LIN_USER,
           "SMEP: a ring-0 jump to a user page is #PF I|P at the target (error 0x%x)", got.error);

    read_user();
    tap_ok(got.n == 1 && got.vector == VEC_PF && got.error == PF_P && got.cr2 == LIN_USER,
           "SMAP: a ring-0 read of a user page is #PF P (error 0x%x)", got.error);
    __asm__ volatile(".byte 0x0f, 0x01, 0xcb" ::: "memory"); /* stac */
    uint32_t v = read_user();
    tap_ok(got.n == 0, "SMAP: after STAC the read passes");
    (void)v;
    __asm__ volatile(".byte 0x0f, 0x01, 0xca" ::: "memory"); /* clac */
    read_user();
    tap_ok(got.n == 1 && got.vector == VEC_PF && got.error == PF_P,
           "SMAP: after CLAC it faults again, though the page was just read");

    __asm__ volatile("mov %0, %%cr0; mov %1, %%cr4" : : "r"(cr0), "r"(cr4) : "memory");
    ring3_call(user_stac, NULL);
    tap_ok(got.n == 1 && got.vector == VEC_UD, "STAC at CPL 3 is #UD");
    tap_done();
}
