/*
 * rt/apic.h: the local APIC, the I/O APIC and the 8259 pair from a guest.
 */
#include "guest.h"
#include "apic.h"
#include "cpu.h"
#include "irq.h"

#define LAPIC_SPURIOUS_VECTOR 0xff
#define IOAPIC_DEFAULT_BASE   0xfec00000u
#define IOAPIC_IOWIN          0x10
#define ICR_SPINS             1000000u
#define CPUID_HV              0x40000000u
#define CPUID_HV_TIMING       0x40000010u /* EBX: LAPIC timer kHz */
#define QEMU_LAPIC_KHZ        1000000u    /* QEMU: 1 GHz, divided by the DCR */

/* 8259A: ICW1-ICW4, then OCW1 masks everything (datasheet 231468) */
#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define ICW1_INIT   0x11 /* edge, cascade, ICW4 follows */
#define ICW3_MASTER 0x04 /* slave on IRQ 2 */
#define ICW3_SLAVE  0x02
#define ICW4_8086   0x01

struct apic_platform plat;

/* ---- local APIC ---- */

bool lapic_is_x2apic(void)
{
    return rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
}

static volatile uint32_t *xapic_reg(uint32_t reg)
{
    return phys_ptr(LAPIC_DEFAULT_BASE + reg);
}

uint32_t lapic_read(uint32_t reg)
{
    if (lapic_is_x2apic())
        return (uint32_t)rdmsr(MSR_X2APIC(reg));
    return *xapic_reg(reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
    if (lapic_is_x2apic())
        wrmsr(MSR_X2APIC(reg), v);
    else
        *xapic_reg(reg) = v;
}

void lapic_enable(uint8_t spurious_vector)
{
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, SVR_ENABLE | spurious_vector);
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

void lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
    if (lapic_is_x2apic()) {
        wrmsr(MSR_X2APIC(LAPIC_ICR_LO), (uint64_t)dest << 32 | icr_lo); /* SDM 11.12.9 */
        return;
    }
    *xapic_reg(LAPIC_ICR_HI) = dest << 24;
    *xapic_reg(LAPIC_ICR_LO) = icr_lo;
    for (uint32_t i = 0; i < ICR_SPINS && (*xapic_reg(LAPIC_ICR_LO) & ICR_PENDING); i++)
        cpu_pause();
}

uint32_t lapic_esr(void)
{
    lapic_write(LAPIC_ESR, 0);
    return lapic_read(LAPIC_ESR);
}

int x2apic_enable(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    return wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
}

bool lapic_vector_set(uint32_t base, uint8_t vector)
{
    return lapic_read(base + 0x10 * (vector / 32)) & (1u << (vector % 32));
}

uint32_t lapic_timer_khz(void)
{
    struct cpuid_regs hv = cpuid(CPUID_HV, 0);
    uint32_t khz = 0;
    if ((cpuid(1, 0).c & CPUID_1_ECX_HYPERVISOR) && hv.a >= CPUID_HV_TIMING)
        khz = cpuid(CPUID_HV_TIMING, 0).b;
    return khz ? khz : QEMU_LAPIC_KHZ;
}

void lapic_timer_oneshot_ms(uint8_t vector, uint32_t ms)
{
    lapic_write(LAPIC_TIMER_DCR, TIMER_DIV_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | vector);
    lapic_write(LAPIC_TIMER_ICR, (uint32_t)((uint64_t)lapic_timer_khz() * ms / 16));
}

/* ---- I/O APIC ---- */

static uintptr_t ioapic_base(void)
{
    return plat.ioapic_addr ? plat.ioapic_addr : IOAPIC_DEFAULT_BASE;
}

uint32_t ioapic_read(uint32_t reg)
{
    mmio_write32(ioapic_base(), reg);
    return mmio_read32(ioapic_base() + IOAPIC_IOWIN);
}

void ioapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(ioapic_base(), reg);
    mmio_write32(ioapic_base() + IOAPIC_IOWIN, v);
}

uint64_t ioapic_get(unsigned pin)
{
    return ioapic_read(IOAPIC_REDTBL(pin)) | (uint64_t)ioapic_read(IOAPIC_REDTBL(pin) + 1) << 32;
}

/* masked while the two halves change, so no half-written entry ever fires */
void ioapic_set(unsigned pin, uint64_t entry)
{
    ioapic_write(IOAPIC_REDTBL(pin), (uint32_t)IORED_MASKED);
    ioapic_write(IOAPIC_REDTBL(pin) + 1, (uint32_t)(entry >> 32));
    ioapic_write(IOAPIC_REDTBL(pin), (uint32_t)entry);
}

void ioapic_mask(unsigned pin)
{
    ioapic_write(IOAPIC_REDTBL(pin), (uint32_t)IORED_MASKED);
}

void ioapic_eoi(uint8_t vector)
{
    mmio_write32(ioapic_base() + IOAPIC_EOI_OFF, vector);
}

unsigned ioapic_pins(void)
{
    return ((ioapic_read(IOAPIC_REG_VERSION) >> 16) & 0xff) + 1;
}

/* ---- 8259 ---- */

void pic_disable(uint8_t base)
{
    outb(PIC1_CMD, ICW1_INIT);
    outb(PIC2_CMD, ICW1_INIT);
    outb(PIC1_DATA, base);
    outb(PIC2_DATA, (uint8_t)(base + 8));
    outb(PIC1_DATA, ICW3_MASTER);
    outb(PIC2_DATA, ICW3_SLAVE);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
}

/* ---- the MADT ---- */

static void read_madt(void)
{
    enum acpi_err e = acpi_init();
    if (e != ACPI_OK)
        tap_bail("ACPI: %s", acpi_strerror(e));
    const struct acpi_madt *m = (const struct acpi_madt *)acpi_find("APIC");
    if (!m)
        tap_bail("no MADT");
    for (unsigned i = 0; i < 16; i++)
        plat.isa_gsi[i] = i;
    for (const struct madt_entry *e2 = madt_next(m, NULL, NULL); e2; e2 = madt_next(m, e2, NULL)) {
        if (e2->type == MADT_LAPIC) {
            const struct madt_lapic *l = (const void *)e2;
            if ((l->flags & MADT_LAPIC_ENABLED) && plat.ncpus < 64)
                plat.apic_id[plat.ncpus++] = l->apic_id;
        } else if (e2->type == MADT_LOCAL_X2APIC) {
            const struct madt_x2apic *x = (const void *)e2;
            if ((x->flags & MADT_LAPIC_ENABLED) && plat.ncpus < 64)
                plat.apic_id[plat.ncpus++] = x->x2apic_id;
        } else if (e2->type == MADT_IOAPIC && !plat.ioapic_addr) {
            plat.ioapic_addr = ((const struct madt_ioapic *)e2)->ioapic_addr;
        } else if (e2->type == MADT_ISO) {
            const struct madt_iso *o = (const void *)e2;
            if (o->bus == 0 && o->source < 16) {
                plat.isa_gsi[o->source] = o->gsi;
                plat.isa_flags[o->source] = o->flags;
            }
        }
    }
}

void platform_init(void)
{
    read_madt();
    pic_disable(0x20);
    for (unsigned pin = 0; pin < ioapic_pins(); pin++)
        ioapic_mask(pin);
    cpu_init_faults();
    (void)tsc_hz(); /* measured once, here, before any AP could race for the PIT */
    /* an engine may hand out the spurious vector (every AP starts with 0xff, rt/smp.c) */
    irq_install(LAPIC_SPURIOUS_VECTOR, irq_no_eoi);
    lapic_enable(LAPIC_SPURIOUS_VECTOR);
}
