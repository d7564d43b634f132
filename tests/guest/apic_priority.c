/*
 * apic_priority: what a local APIC lets through, on every CPU (Intel SDM Vol
 * 3A 11.8.3 "Interrupt, Task, and Processor Priority", 11.9 "Spurious
 * Interrupt", 11.4.7.2 software disable). Each CPU sends itself interrupts
 * with IF=0, then lets them in:
 *
 *   - TPR masking: with TPR 0x50 only vectors of priority class 6 and up
 *     come in; lowering TPR releases the rest, highest vector first; PPR is
 *     TPR, or the class of the vector in service when that is higher;
 *   - priority classes: in a handler, a higher class nests, the same class
 *     waits for the EOI;
 *   - the case 11.9 describes for spurious interrupts: an interrupt already
 *     signalled, then masked by a TPR raised before the CPU takes it, is not
 *     delivered; when TPR drops it is, exactly once. A spurious vector, if
 *     the engine hands one out in that window, never sets an ISR bit and is
 *     not acknowledged with an EOI;
 *   - SVR: the spurious vector field holds what is written; software disable
 *     sets every LVT mask and keeps it set (11.4.7.2). QEMU 7.2's TCG leaves
 *     the LVT masks alone on a software disable, so that check is skipped
 *     there; Bochs models it.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/irq.h"
#include "rt/smp.h"

#define VEC_SPURIOUS 0xef
#define LOG_MAX      16
#define SETTLE_MS    5

struct result {
    volatile uint32_t done;
    uint8_t log[LOG_MAX];
    volatile uint32_t nlog;
    uint32_t irr_held;      /* IRR bits of the four while TPR holds them (bit i: vecs[i]) */
    uint32_t ppr_tpr;       /* PPR with TPR 0x50 and nothing in service */
    uint32_t ppr_in_91;     /* PPR inside the 0x91 handler */
    bool isr_in_91;         /* 0x91's ISR bit in its handler */
    uint32_t after_tpr50;   /* entries logged before TPR dropped to 0x40 */
    uint32_t after_tpr40;   /* ... before it dropped to 0 */
    uint32_t masked_late_n; /* 0x61 taken while TPR masked it */
    uint32_t late_n;        /* 0x61 taken once TPR dropped */
    uint32_t spurious_n;
    bool spurious_isr; /* the spurious vector's ISR bit in its handler */
    uint32_t svr_read, lvt_masked, lvt_after_try;
};

static struct result res[SMP_MAX_CPUS];

static struct result *mine(void)
{
    return &res[cpu_apic_id()];
}

static void self_ipi(uint8_t v)
{
    lapic_send_ipi(0, ICR_FIXED | ICR_ASSERT | ICR_SELF | v);
}

static void logger(uint8_t vector, struct trap_frame *f)
{
    (void)f;
    struct result *r = mine();
    if (r->nlog < LOG_MAX)
        r->log[r->nlog++] = vector;
    if (vector == 0x91) {
        r->ppr_in_91 = lapic_read(LAPIC_PPR);
        r->isr_in_91 = lapic_vector_set(LAPIC_ISR, 0x91);
        self_ipi(0x95); /* same class: waits for our EOI */
        self_ipi(0xa5); /* higher class: comes in at once */
        irq_enable();
        delay_ms(SETTLE_MS);
        irq_disable();
    }
    lapic_eoi();
}

static void spurious(uint8_t vector, struct trap_frame *f)
{
    (void)f;
    struct result *r = mine();
    r->spurious_n++;
    r->spurious_isr |= lapic_vector_set(LAPIC_ISR, vector);
    /* no EOI: a spurious interrupt is not in service (11.9) */
}

static const uint8_t vecs[4] = {0x31, 0x51, 0x52, 0x91};

static void let_in(void)
{
    irq_enable();
    delay_ms(SETTLE_MS);
    irq_disable();
}

static void priority_checks(void *arg)
{
    (void)arg;
    struct result *r = mine();
    irq_disable();
    lapic_enable(VEC_SPURIOUS);
    lapic_write(LAPIC_TPR, 0x50);
    for (unsigned i = 0; i < 4; i++)
        self_ipi(vecs[i]);
    delay_ms(SETTLE_MS); /* IF=0: they wait in IRR */
    for (unsigned i = 0; i < 4; i++)
        r->irr_held |= (uint32_t)lapic_vector_set(LAPIC_IRR, vecs[i]) << i;
    r->ppr_tpr = lapic_read(LAPIC_PPR);
    let_in();
    r->after_tpr50 = r->nlog;
    lapic_write(LAPIC_TPR, 0x40);
    let_in();
    r->after_tpr40 = r->nlog;
    lapic_write(LAPIC_TPR, 0);
    let_in();

    /* signalled, then masked by TPR before the CPU could take it */
    irq_reset_own(0x61);
    self_ipi(0x61);
    lapic_write(LAPIC_TPR, 0x70);
    let_in();
    r->masked_late_n = irq_count(cpu_apic_id(), 0x61);
    lapic_write(LAPIC_TPR, 0);
    let_in();
    r->late_n = irq_count(cpu_apic_id(), 0x61);

    /* SVR: the vector field, and software disable masking the LVT */
    lapic_write(LAPIC_SVR, SVR_ENABLE | 0xe5);
    r->svr_read = lapic_read(LAPIC_SVR) & 0x1ff;
    lapic_write(LAPIC_LVT_LINT1, LVT_MASKED | LVT_DM_NMI);
    lapic_write(LAPIC_LVT_ERROR, 0xe1);   /* unmasked */
    lapic_write(LAPIC_SVR, VEC_SPURIOUS); /* software disable */
    r->lvt_masked = lapic_read(LAPIC_LVT_ERROR);
    lapic_write(LAPIC_LVT_ERROR, 0xe1);
    r->lvt_after_try = lapic_read(LAPIC_LVT_ERROR);
    lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | 0xe1);
    r->done = 1;
}

#define ALL(cond, fmt, ...)                                                                        \
    ({                                                                                             \
        bool all_ = true;                                                                          \
        for (unsigned i_ = 0; i_ < plat.ncpus; i_++) {                                             \
            const struct result *r = &res[plat.apic_id[i_]];                                       \
            if (!(cond)) {                                                                         \
                all_ = false;                                                                      \
                tap_diag("APIC %u: " fmt, plat.apic_id[i_], ##__VA_ARGS__);                        \
            }                                                                                      \
        }                                                                                          \
        all_;                                                                                      \
    })

static bool log_is(const struct result *r, const uint8_t *want, uint32_t n)
{
    if (r->nlog != n)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (r->log[i] != want[i])
            return false;
    return true;
}

static const uint8_t order[] = {0x91, 0xa5, 0x95, 0x52, 0x51, 0x31};

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    uint8_t logged[] = {0x31, 0x51, 0x52, 0x91, 0x95, 0xa5};
    for (unsigned i = 0; i < sizeof logged; i++)
        irq_install(logged[i], logger);
    irq_install(0x61, NULL);
    irq_install(VEC_SPURIOUS, spurious);
    irq_install(0xe5, spurious);
    lapic_enable(VEC_SPURIOUS);
    tap_plan(11);
    unsigned up = smp_boot_workers(plat.ncpus);
    tap_ok(up + 1 == plat.ncpus, "%u APs up", up);
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_async(plat.apic_id[i], priority_checks, NULL);
    priority_checks(NULL);
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_wait(plat.apic_id[i], 5000);

    tap_ok(ALL(r->done && r->irr_held == 0xf && r->ppr_tpr == 0x50, "IRR bits %x, PPR 0x%x",
               r->irr_held, r->ppr_tpr),
           "with IF=0 four self-IPIs wait in IRR; PPR equals TPR 0x50");
    tap_ok(ALL(r->after_tpr50 == 3 && r->nlog >= 1 && r->log[0] == 0x91,
               "%u taken at TPR 0x50, first 0x%x", r->after_tpr50, r->log[0]),
           "TPR 0x50 lets only class 9 in (and what nests in its handler); classes 3 and 5 wait");
    tap_ok(
        ALL(r->isr_in_91 && r->ppr_in_91 == 0x90, "ISR %d, PPR 0x%x", r->isr_in_91, r->ppr_in_91),
        "in the 0x91 handler its ISR bit is set and PPR is its class, 0x90");
    tap_ok(ALL(r->nlog >= 3 && r->log[1] == 0xa5 && r->log[2] == 0x95, "log %x %x %x", r->log[0],
               r->log[1], r->log[2]),
           "a higher class (0xa5) nests in the handler, the same class (0x95) waits for its EOI");
    tap_ok(ALL(r->after_tpr40 == 5, "%u taken by TPR 0x40", r->after_tpr40),
           "TPR 0x40 releases class 5: 0x52 and 0x51");
    tap_ok(ALL(log_is(r, order, 6), "%u taken: %x %x %x %x %x %x", r->nlog, r->log[0], r->log[1],
               r->log[2], r->log[3], r->log[4], r->log[5]),
           "TPR 0 releases 0x31; everything came in priority order, highest vector first");
    tap_ok(ALL(r->masked_late_n == 0 && r->late_n == 1, "0x61 taken %u while masked, %u after",
               r->masked_late_n, r->late_n),
           "an interrupt masked by TPR after it was signalled waits, then comes in once TPR drops "
           "(SDM 11.9)");
    tap_ok(ALL(!r->spurious_isr, "spurious vector set its ISR bit (%u spurious)", r->spurious_n),
           "a spurious vector, if any was handed out, set no ISR bit");
    tap_ok(ALL(r->svr_read == (SVR_ENABLE | 0xe5), "SVR reads 0x%x", r->svr_read),
           "the SVR's spurious vector field holds what was written (0xe5)");
    if (engine_is_qemu_tcg())
        tap_skip("QEMU TCG does not mask the LVT on a software disable",
                 "software disable sets every LVT mask and keeps it set (SDM 11.4.7.2)");
    else
        tap_ok(ALL((r->lvt_masked & LVT_MASKED) && (r->lvt_after_try & LVT_MASKED),
                   "error LVT 0x%x, then 0x%x", r->lvt_masked, r->lvt_after_try),
               "software disable sets every LVT mask and keeps it set (SDM 11.4.7.2)");
    tap_done();
}
