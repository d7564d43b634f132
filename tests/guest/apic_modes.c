/*
 * apic_modes: IA32_APIC_BASE and the local APIC's modes on every CPU (Intel
 * SDM Vol 3A 11.4.4 "Local APIC Status and Location", 11.4.3 global
 * enable/disable, 11.12 "Extended XAPIC (x2APIC)"):
 *
 *   - the BSP flag (bit 8) is set on the BSP alone;
 *   - the xAPIC page moves where IA32_APIC_BASE puts it;
 *   - a globally disabled APIC, enabled again, works in xAPIC mode;
 *   - x2APIC mode, where CPUID.01H:ECX[21] offers it: the ID and LDR
 *     registers as 11.12.5.1 and 11.12.10.2 derive them, the ID read-only,
 *     #GP on reserved registers and reserved bits (11.12.1.2), SELF IPI,
 *     the 64-bit ICR to a physical x2APIC ID and to a logical cluster,
 *     and the mode transitions of Figure 11-27 (x2APIC to xAPIC, and
 *     disabled to x2APIC, are illegal: #GP).
 * QEMU 7.2's TCG cannot move the xAPIC page, cannot enable an APIC again once
 * globally disabled, and has no x2APIC: those checks are skipped there
 * (relocation and re-enable by engine, x2APIC by CPUID). Bochs 2.7 models
 * relocation and x2APIC (with a CPU model that has it, as tests.list picks),
 * but it too ignores IA32_APIC_BASE once the APIC is globally disabled: the
 * re-enable check has no reference engine and is skipped under both.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/irq.h"
#include "rt/smp.h"

#define VEC_SELF    0x48
#define VEC_PHYS    0x49
#define VEC_LOGICAL 0x4a
#define VEC_BACK    0x4b
#define MOVED_BASE  0xfef00000u /* nothing else lives there, on any engine */
#define WAIT_MS     2000
#define SETTLE_MS   10
#define VEC_GP      13
#define X2_ID       MSR_X2APIC(LAPIC_ID)
#define X2_VERSION  MSR_X2APIC(LAPIC_VERSION)
#define X2_LDR      MSR_X2APIC(LAPIC_LDR)
#define X2_APR      MSR_X2APIC(LAPIC_APR)
#define X2_DFR      MSR_X2APIC(LAPIC_DFR)
#define X2_EOI      MSR_X2APIC(LAPIC_EOI)
#define X2_TPR      MSR_X2APIC(LAPIC_TPR)
#define X2_ICR      MSR_X2APIC(LAPIC_ICR_LO)
#define X2_SELF_IPI MSR_X2APIC(LAPIC_SELF_IPI)

struct result {
    volatile uint32_t done;
    bool bsp_flag;
    bool moved_ok, old_gone;
    bool reenabled_ok;
    /* x2APIC */
    int enable_gp;
    uint32_t id, ldr, version, xapic_version;
    int id_write_gp, apr_gp, dfr_gp, eoi_gp, tpr_gp, to_xapic_gp, off_to_x2_gp, back_gp;
    uint32_t self_n;
};

static struct result res[SMP_MAX_CPUS];
static volatile uint32_t stop;
static bool relocate, reenable, bochs;

static struct result *mine(void)
{
    return &res[cpu_apic_id()];
}

static void xapic_checks(void)
{
    struct result *r = mine();
    uint64_t base = rdmsr(MSR_APIC_BASE);
    r->bsp_flag = base & APIC_BASE_BSP;
    uint32_t id = cpu_apic_id();
    if (relocate) {
        wrmsr(MSR_APIC_BASE, (base & 0xfff) | MOVED_BASE);
        r->moved_ok = mmio_read32(MOVED_BASE + LAPIC_ID) >> 24 == id;
        r->old_gone = mmio_read32(LAPIC_DEFAULT_BASE + LAPIC_ID) >> 24 != id ||
                      mmio_read32(LAPIC_DEFAULT_BASE + LAPIC_VERSION) !=
                          mmio_read32(MOVED_BASE + LAPIC_VERSION);
        wrmsr(MSR_APIC_BASE, base);
    }
    if (reenable) {
        wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
        wrmsr(MSR_APIC_BASE, base);
        lapic_enable(0xff);
        irq_reset_own(VEC_SELF);
        lapic_send_ipi(0, ICR_FIXED | ICR_ASSERT | ICR_SELF | VEC_SELF);
        irq_enable();
        delay_ms(SETTLE_MS);
        irq_disable();
        r->reenabled_ok = lapic_read(LAPIC_ID) >> 24 == id && irq_count(id, VEC_SELF) == 1;
    }
}

static void x2apic_checks(void)
{
    struct result *r = mine();
    uint32_t id = cpu_apic_id();
    r->xapic_version = lapic_read(LAPIC_VERSION);
    r->enable_gp = x2apic_enable();
    if (r->enable_gp)
        return;
    uint64_t v;
    r->id = (uint32_t)rdmsr(X2_ID);
    r->ldr = (uint32_t)rdmsr(X2_LDR);
    r->version = (uint32_t)rdmsr(X2_VERSION);
    r->id_write_gp = wrmsr_safe(X2_ID, id + 1);
    r->apr_gp = rdmsr_safe(X2_APR, &v);
    r->dfr_gp = rdmsr_safe(X2_DFR, &v);
    r->eoi_gp = wrmsr_safe(X2_EOI, 1);
    r->tpr_gp = wrmsr_safe(X2_TPR, 0x100); /* bits 31:8 are reserved */
    uint64_t base = rdmsr(MSR_APIC_BASE);
    r->to_xapic_gp = wrmsr_safe(MSR_APIC_BASE, base & ~APIC_BASE_EXTD);
    irq_reset_own(VEC_SELF);
    wrmsr(X2_SELF_IPI, VEC_SELF);
    irq_enable();
    delay_ms(SETTLE_MS);
    irq_disable();
    r->self_n = irq_count(id, VEC_SELF);
    if (bochs)
        return;
    /* x2APIC -> disabled is legal, disabled -> x2APIC is not; back through xAPIC */
    wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
    r->off_to_x2_gp = wrmsr_safe(MSR_APIC_BASE, base);
    wrmsr(MSR_APIC_BASE, base & ~APIC_BASE_EXTD);
    r->back_gp = x2apic_enable();
    lapic_enable(0xff);
}

static void checks(void *x2)
{
    xapic_checks();
    if (x2)
        x2apic_checks();
    mine()->done = 1;
}

static void listen(void *arg)
{
    (void)arg;
    irq_enable();
    while (!stop)
        cpu_pause();
    irq_disable();
}

#define ALL(cond, fmt, ...)                                                                        \
    ({                                                                                             \
        bool all_ = true;                                                                          \
        for (unsigned i_ = 0; i_ < plat.ncpus; i_++) {                                             \
            const struct result *r = &res[plat.apic_id[i_]];                                       \
            uint32_t id = plat.apic_id[i_];                                                        \
            (void)id;                                                                              \
            if (!(cond)) {                                                                         \
                all_ = false;                                                                      \
                tap_diag("APIC %u: " fmt, id, ##__VA_ARGS__);                                      \
            }                                                                                      \
        }                                                                                          \
        all_;                                                                                      \
    })

static uint32_t total(uint8_t vec)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < plat.ncpus; i++)
        n += irq_count(plat.apic_id[i], vec);
    return n;
}

/* the 64-bit ICR, physical and logical (x2APIC cluster model), with every CPU in x2APIC mode */
static void x2apic_ipis(void)
{
    stop = 0;
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_async(plat.apic_id[i], listen, NULL);
    irq_enable();
    bool phys = true;
    for (unsigned i = 0; i < plat.ncpus; i++) {
        uint32_t id = plat.apic_id[i];
        irq_reset(VEC_PHYS);
        wrmsr(X2_ICR, (uint64_t)id << 32 | ICR_FIXED | ICR_ASSERT | VEC_PHYS);
        wait_at_least(irq_counter(id, VEC_PHYS), 1, WAIT_MS);
        delay_ms(SETTLE_MS);
        phys &= irq_count(id, VEC_PHYS) == 1 && total(VEC_PHYS) == 1;
    }
    tap_ok(phys,
           "x2APIC ICR, one 64-bit write: a fixed IPI to each physical x2APIC ID reaches it alone");
    /* cluster 0, the CPUs with IDs 0 and 2 (those present) */
    uint32_t dest = 0 << 16 | 1u << 0 | 1u << 2;
    irq_reset(VEC_LOGICAL);
    wrmsr(X2_ICR, (uint64_t)dest << 32 | ICR_FIXED | ICR_ASSERT | ICR_LOGICAL | VEC_LOGICAL);
    uint32_t want = 0;
    for (unsigned i = 0; i < plat.ncpus; i++)
        want += plat.apic_id[i] == 0 || plat.apic_id[i] == 2;
    uint64_t end = tsc_after_ms(WAIT_MS);
    while (total(VEC_LOGICAL) < want && rdtsc() < end)
        cpu_pause();
    delay_ms(SETTLE_MS);
    bool logical = total(VEC_LOGICAL) == want;
    for (unsigned i = 0; i < plat.ncpus; i++) {
        uint32_t id = plat.apic_id[i];
        logical &= irq_count(id, VEC_LOGICAL) == (id == 0 || id == 2);
    }
    if (bochs)
        tap_skip("Bochs 2.7 leaves the x2APIC LDR 0",
                 "x2APIC logical destination cluster 0, bits 0 and 2");
    else
        tap_ok(logical,
               "x2APIC logical destination cluster 0, bits 0 and 2: exactly APIC IDs 0 and 2");
    irq_disable();
    stop = 1;
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_wait(plat.apic_id[i], WAIT_MS);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    uint8_t vecs[] = {VEC_SELF, VEC_PHYS, VEC_LOGICAL, VEC_BACK};
    for (unsigned i = 0; i < sizeof vecs; i++)
        irq_install(vecs[i], NULL);
    bool qemu = engine_is_qemu_tcg(), x2 = cpu_has_x2apic();
    relocate = !qemu;
    bochs = engine_is_bochs();
    reenable = !qemu && !bochs;
    tap_plan(15);
    unsigned up = smp_boot_workers(plat.ncpus);
    tap_ok(up + 1 == plat.ncpus, "%u APs up", up);
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call(plat.apic_id[i], checks, (void *)x2);
    checks((void *)x2);

    tap_ok(ALL(r->done && r->bsp_flag == (id == plat.apic_id[0]), "BSP flag %d", r->bsp_flag),
           "IA32_APIC_BASE's BSP flag is set on the BSP alone");
    if (relocate)
        tap_ok(ALL(r->moved_ok && r->old_gone, "moved %d, old gone %d", r->moved_ok, r->old_gone),
               "the xAPIC page moves to 0x%x with IA32_APIC_BASE, and leaves the old address",
               MOVED_BASE);
    else
        tap_skip("QEMU TCG keeps the xAPIC page at 0xfee00000",
                 "the xAPIC page moves with IA32_APIC_BASE");
    if (reenable)
        tap_ok(ALL(r->reenabled_ok, "not working after re-enable"),
               "a globally disabled APIC, enabled again, works in xAPIC mode (SDM 11.4.3)");
    else
        tap_skip(qemu
                     ? "QEMU TCG cannot enable an APIC again after a global disable"
                     : "Bochs 2.7 ignores IA32_APIC_BASE writes once the APIC is globally disabled",
                 "a globally disabled APIC, enabled again, works in xAPIC mode");

    if (!x2) {
        const char *why = qemu ? "QEMU TCG has no x2APIC" : "CPUID offers no x2APIC";
        for (int i = 0; i < 11; i++)
            tap_skip(why, "x2APIC mode checks (SDM 11.12)");
        tap_done();
    }
    tap_ok(ALL(r->enable_gp == 0, "#%d", r->enable_gp),
           "every CPU switches from xAPIC to x2APIC mode");
    tap_ok(ALL(r->id == id, "ID 0x%x", r->id), "the ID MSR holds the 32-bit APIC ID");
    if (bochs)
        tap_skip("Bochs 2.7 leaves the x2APIC LDR 0 on the switch from xAPIC",
                 "LDR is cluster ID[19:4] << 16 | 1 << ID[3:0] (SDM 11.12.10.2)");
    else
        tap_ok(ALL(r->ldr == ((id >> 4) << 16 | 1u << (id & 15)), "LDR 0x%x", r->ldr),
               "LDR is cluster ID[19:4] << 16 | 1 << ID[3:0] (SDM 11.12.10.2)");
    tap_ok(ALL(r->version == r->xapic_version, "0x%x vs 0x%x", r->version, r->xapic_version),
           "the version MSR reads as the xAPIC version register did");
    tap_ok(ALL(r->id_write_gp == VEC_GP, "%d", r->id_write_gp),
           "the x2APIC ID is read-only: a write is #GP");
    tap_ok(ALL(r->apr_gp == VEC_GP && r->dfr_gp == VEC_GP && r->eoi_gp == VEC_GP &&
                   r->tpr_gp == VEC_GP,
               "APR %d DFR %d EOI %d TPR %d", r->apr_gp, r->dfr_gp, r->eoi_gp, r->tpr_gp),
           "the registers x2APIC lacks (APR, DFR), a non-zero EOI and reserved TPR bits raise #GP");
    tap_ok(ALL(r->to_xapic_gp == VEC_GP, "%d", r->to_xapic_gp),
           "IA32_APIC_BASE from x2APIC straight to xAPIC is #GP (SDM Figure 11-27)");
    tap_ok(ALL(r->self_n == 1, "%u", r->self_n), "the SELF IPI MSR interrupts its own CPU");
    if (bochs)
        tap_skip("Bochs 2.7 cannot leave the globally disabled state",
                 "x2APIC -> disabled -> x2APIC is #GP; through xAPIC it is allowed");
    else
        tap_ok(ALL(r->off_to_x2_gp == VEC_GP && r->back_gp == 0,
                   "disabled->x2APIC %d, via xAPIC %d", r->off_to_x2_gp, r->back_gp),
               "x2APIC -> disabled -> x2APIC is #GP; through xAPIC it is allowed");
    x2apic_ipis();
    tap_done();
}
