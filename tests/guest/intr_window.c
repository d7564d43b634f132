/*
 * tests/guest/intr_window.c: where an interrupt held back by IF=0 is taken
 * once IF is set (issue 7: interrupt latency after STI/POPF). A self-IPI is
 * made pending with interrupts off, then IF is set in each way below; the
 * handler records where it interrupted, which must be the first boundary the
 * manual allows, on every round:
 *
 *   STI: after the instruction that follows STI (SDM Vol 3A 6.8.3, the STI
 *        interrupt shadow), so after "sti; nop" and before the next one;
 *   POPF: right after it (no shadow);
 *   IRET: at the instruction it returns to, before that runs.
 *
 * Every CPU does this at once, each with its own IPIs (cpus=N).
 */
#include "rt/guest.h"
#include "rt/smp.h"

#define VEC_SELF  0x60
#define ROUNDS    200u
#define EFLAGS_IF 0x200u

static uint32_t ncpus = 1;
static uint8_t index_of[256];
static uint32_t apic_of[SMP_MAX_CPUS];
static volatile uint32_t taken_at[SMP_MAX_CPUS], taken[SMP_MAX_CPUS];
static volatile uint32_t wrong[3][SMP_MAX_CPUS], finished;

/* the stub keeps the interrupted EIP (the frame's first word, after pushal) */
void self_stub(void);
void self_handler(uint32_t eip);
__asm__(".text\n.globl self_stub\nself_stub:\n"
        "\tpushal\n\tcld\n\tpushl 32(%esp)\n\tcall self_handler\n\taddl $4, %esp\n"
        "\tpopal\n\tiret\n");

void self_handler(uint32_t eip)
{
    unsigned i = index_of[lapic_id() & 0xff];
    taken_at[i] = eip;
    taken[i]++;
    smp_eoi();
}

extern const char after_sti_nop[], after_popf[], iret_target[];

static void pend(unsigned i)
{
    __asm__ volatile("cli");
    smp_send_ipi(apic_of[i], VEC_SELF);
}

__attribute__((noinline)) static void window_sti(void)
{
    __asm__ volatile("sti\n\tnop\n"
                     ".globl after_sti_nop\nafter_sti_nop:\n\tnop\n\tcli" ::: "memory");
}

__attribute__((noinline)) static void window_popf(void)
{
    __asm__ volatile("pushfl\n\torl %0, (%%esp)\n\tpopfl\n"
                     ".globl after_popf\nafter_popf:\n\tnop\n\tcli" ::"i"(EFLAGS_IF) : "memory");
}

__attribute__((noinline)) static void window_iret(void)
{
    __asm__ volatile("pushfl\n\torl %0, (%%esp)\n\tpushl %%cs\n\tpushl $iret_target\n\tiret\n"
                     ".globl iret_target\niret_target:\n\tnop\n\tcli" ::"i"(EFLAGS_IF) : "memory");
}

static void (*const windows[3])(void) = {window_sti, window_popf, window_iret};

static void work(unsigned i)
{
    const char *const want[3] = {after_sti_nop, after_popf, iret_target};
    apic_of[i] = lapic_id();
    index_of[apic_of[i] & 0xff] = (uint8_t)i;
    lapic_sw_enable();
    for (uint32_t r = 0; r < ROUNDS; r++)
        for (unsigned w = 0; w < 3; w++) {
            uint32_t before = taken[i];
            pend(i);
            windows[w]();
            if (taken[i] != before + 1 || taken_at[i] != (uint32_t)(uintptr_t)want[w])
                wrong[w][i]++;
        }
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

static uint32_t sum(const volatile uint32_t *v)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < ncpus; i++)
        s += v[i];
    return s;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    arg_u32("cpus", &ncpus);
    if (ncpus < 1 || ncpus > SMP_MAX_CPUS)
        tap_bail("cpus=%u is out of range", ncpus);
    tap_plan(5);
    pic_mask_all();
    idt_set_gate(VEC_SELF, self_stub);
    unsigned up = ncpus > 1 ? smp_start_aps(ncpus, work) : 0;
    tap_ok(up == ncpus - 1, "INIT-SIPI-SIPI: %u of %u APs checked in", up, ncpus - 1);
    if (up != ncpus - 1)
        tap_bail("not every AP came up");
    work(0);
    for (uint32_t spin = 0; finished < ncpus && spin < 2000000000u; spin++)
        cpu_pause();
    tap_ok(finished == ncpus, "all %u CPUs finished (%u did)", ncpus, finished);
    tap_ok(sum(wrong[0]) == 0, "STI: taken after the next instruction, %u times per CPU (%u wrong)",
           ROUNDS, sum(wrong[0]));
    tap_ok(sum(wrong[1]) == 0, "POPF setting IF: taken right after it (%u wrong)", sum(wrong[1]));
    tap_ok(sum(wrong[2]) == 0, "IRET setting IF: taken before the first instruction it returns to "
                               "(%u wrong)", sum(wrong[2]));
    tap_done();
}
