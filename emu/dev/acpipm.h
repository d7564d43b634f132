/*
 * emu/dev/acpipm.h: the ACPI fixed hardware the FADT describes (ACPI 6.3
 * 4.8): the PM1a event block (status, enable), the PM1a control block and
 * the 24-bit PM timer at 3.579545 MHz, at PLAT_PORT_PM_BASE, with the SCI on
 * IRQ 9 (level, active high).
 *
 * The machine is in ACPI mode from reset (SCI_EN reads 1; the FADT has no
 * SMI_CMD). Writing SLP_EN with SLP_TYP for S5 powers off through a
 * callback; other sleep states are not supported and are ignored (XXX).
 * TMR_STS is set each time bit 23 of the timer changes (4.8.3.3); the owner
 * calls acpipm_poll() at acpipm_next_deadline() when TMR_EN is set.
 *
 * Locking: one spinlock.
 */
#ifndef BAREMU_ACPIPM_H
#define BAREMU_ACPIPM_H

#include "emu/bus.h"
#include "emu/clock.h"
#include "emu/lock.h"

#include <stdint.h>

#define ACPI_PM_TIMER_HZ 3579545u
#define ACPI_PM_PORTS    12 /* PM1a_EVT (4), PM1a_CNT (2), gap (2), PM_TMR (4) */

/* PM1 status and enable (4.8.3.1, Tables 4.16 and 4.17) */
#define PM1_TMR     (1u << 0)
#define PM1_BM_STS  (1u << 4)
#define PM1_GBL     (1u << 5)
#define PM1_PWRBTN  (1u << 8)
#define PM1_SLPBTN  (1u << 9)
#define PM1_RTC     (1u << 10)
#define PM1_WAK_STS (1u << 15)
#define PM1_EVENTS  (PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | PM1_RTC)

/* PM1 control (4.8.3.2, Table 4.18) */
#define PM1_SCI_EN        (1u << 0)
#define PM1_BM_RLD        (1u << 1)
#define PM1_GBL_RLS       (1u << 2) /* write-only */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP       (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13) /* write-only */

#define PM_TMR_BIT 23 /* TMR_STS follows this bit (24-bit timer) */

struct acpipm {
    struct spinlock lock;
    const struct clock *clock;
    struct irq_line sci;
    uint16_t sts, en, cnt;
    uint64_t base_tick; /* the timer counted 0 here */
    uint64_t seen_tick;
    void (*poweroff)(void *opaque);
    void *poweroff_opaque;
};

void acpipm_init(struct acpipm *pm, const struct clock *clock, struct irq_line sci,
                 void (*poweroff)(void *opaque), void *opaque);
int acpipm_register(struct acpipm *pm, struct bus *bus);
/* the host asked for a shutdown: PWRBTN_STS, and an SCI if enabled */
void acpipm_power_button(struct acpipm *pm);

void acpipm_poll(struct acpipm *pm);
uint64_t acpipm_next_deadline(struct acpipm *pm);

#endif
