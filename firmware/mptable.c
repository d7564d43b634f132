/*
 * mptable.c: the MultiProcessor Specification 1.4 tables, for guests that
 * look for them instead of ACPI (Linux with acpi=off, older kernels).
 *
 * The floating pointer sits in the F segment (4: "in the BIOS ROM address
 * space between 0F0000h and 0FFFFFh"), the configuration table after it.
 * The limit: a processor entry's APIC ID is 8 bits and 0xFF addresses every
 * local APIC (4.3.5), so only vCPUs with APIC IDs 0..254 are listed; the
 * others exist only for ACPI (x2APIC). docs/firmware.md says so too.
 */
#include "firmware/mptable.h"

#include <string.h>

#include "emu/platform.h"
#include "firmware/acpi.h"
#include "firmware/fw_internal.h"

#define MP_OEM_ID      "BAREMU  "
#define MP_PRODUCT_ID  "BAREMU PC   "
#define MP_BUS_ISA_ID  0
#define MP_ISA_CASCADE 2 /* IRQ 2: the slave 8259's cascade, never an IOAPIC input */
/* XXX: the CPU model's CPUID 1 EAX/EDX belong here once emu/cpu/ fixes them */
#define MP_CPU_SIGNATURE 0x00000600u             /* family 6 */
#define MP_CPU_FEATURES  ((1u << 0) | (1u << 9)) /* FPU, APIC */

static unsigned mp_cpu_count(const struct fw_config *cfg)
{
    unsigned n = 0;
    for (unsigned i = 0; i < cfg->ncpus; i++)
        n += fw_apic_id(cfg, i) <= FW_MP_MAX_APIC_ID;
    return n;
}

static uint8_t *put(uint8_t *p, const void *entry, size_t len)
{
    memcpy(p, entry, len);
    return p + len;
}

static uint8_t *put_intr(uint8_t *p, uint8_t type, uint8_t irq_type, uint16_t flags, uint8_t irq,
                         uint8_t dst, uint8_t pin)
{
    struct mp_intr e = {type, irq_type, flags, MP_BUS_ISA_ID, irq, dst, pin};
    return put(p, &e, sizeof e);
}

/* 4.3.4: the ISA IRQs on the IOAPIC, with 8259 ExtINT on pin 0 (5.1's default) */
static uint8_t *put_io_interrupts(uint8_t *p, uint16_t *count)
{
    p = put_intr(p, MP_IOINTR, MP_EXTINT, INTI_CONFORMS, 0, PLAT_IOAPIC_ID, 0);
    ++*count;
    for (uint8_t irq = 0; irq < MP_ISA_IRQS; irq++) {
        if (irq == MP_ISA_CASCADE)
            continue;
        uint8_t pin = irq == PLAT_IRQ_PIT ? PLAT_GSI_PIT : irq;
        uint16_t flags =
            irq == PLAT_IRQ_SCI ? INTI_POLARITY_HIGH | INTI_TRIGGER_LEVEL : INTI_CONFORMS;
        p = put_intr(p, MP_IOINTR, MP_INT, flags, irq, PLAT_IOAPIC_ID, pin);
        ++*count;
    }
    return p;
}

int mptable_build(const struct fw_config *cfg, uint8_t *ram, struct fw_layout *out, char *err,
                  size_t errlen)
{
    unsigned ncpus = mp_cpu_count(cfg);
    uint16_t nintr = 1 + MP_ISA_IRQS - 1 + 2; /* ExtINT, the ISA IRQs but 2, LINT0, LINT1 */
    size_t size = sizeof(struct mp_config) + ncpus * sizeof(struct mp_processor) +
                  sizeof(struct mp_bus) + sizeof(struct mp_ioapic) + nintr * sizeof(struct mp_intr);
    if (size > FW_MP_CONFIG_END - FW_MP_CONFIG_ADDR)
        return fw_fail(err, errlen, "mp_config: %zu bytes for %u processors exceed the %u reserved",
                       size, ncpus, FW_MP_CONFIG_END - FW_MP_CONFIG_ADDR);

    struct mp_config *c = (struct mp_config *)(ram + FW_MP_CONFIG_ADDR);
    memset(c, 0, size);
    memcpy(c->signature, "PCMP", sizeof c->signature);
    c->spec_rev = MP_SPEC_REV_1_4;
    memcpy(c->oem_id, MP_OEM_ID, sizeof c->oem_id);
    memcpy(c->product_id, MP_PRODUCT_ID, sizeof c->product_id);
    c->lapic_addr = (uint32_t)PLAT_LAPIC_BASE;

    uint8_t *p = (uint8_t *)(c + 1);
    uint16_t count = 0;
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        uint32_t id = fw_apic_id(cfg, i);
        if (id > FW_MP_MAX_APIC_ID)
            continue;
        struct mp_processor e = {MP_PROCESSOR,
                                 (uint8_t)id,
                                 PLAT_LAPIC_VERSION,
                                 MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0),
                                 MP_CPU_SIGNATURE,
                                 MP_CPU_FEATURES,
                                 {0, 0}};
        p = put(p, &e, sizeof e), count++;
    }
    struct mp_bus bus = {MP_BUS, MP_BUS_ISA_ID, {'I', 'S', 'A', ' ', ' ', ' '}};
    p = put(p, &bus, sizeof bus), count++;
    struct mp_ioapic io = {MP_IOAPIC, PLAT_IOAPIC_ID, PLAT_IOAPIC_VERSION, MP_IOAPIC_ENABLED,
                           (uint32_t)PLAT_IOAPIC_BASE};
    p = put(p, &io, sizeof io), count++;
    p = put_io_interrupts(p, &count);
    /* 4.3.5: every local APIC: the 8259 on LINT0, NMI on LINT1 */
    p = put_intr(p, MP_LINTR, MP_EXTINT, INTI_CONFORMS, 0, MP_ALL_LAPICS, PLAT_LINT0_EXTINT);
    p = put_intr(p, MP_LINTR, MP_NMI, INTI_CONFORMS, 0, MP_ALL_LAPICS, PLAT_LINT1_NMI);
    count += 2;

    c->base_length = (uint16_t)(p - (uint8_t *)c);
    c->entry_count = count;
    c->checksum = fw_checksum(c, c->base_length);
    out->mp_config = (struct fw_blob){FW_MP_CONFIG_ADDR, c->base_length};
    out->mp_cpus = ncpus;

    struct mp_floating *f = (struct mp_floating *)(ram + FW_MP_FLOAT_ADDR);
    memset(f, 0, sizeof *f);
    memcpy(f->signature, "_MP_", sizeof f->signature);
    f->config_addr = FW_MP_CONFIG_ADDR;
    f->length = sizeof *f / MP_PARAGRAPH;
    f->spec_rev = MP_SPEC_REV_1_4;
    /* features 1 = 0: the configuration table is there; 2 bit 7 = 0: no IMCR, virtual wire */
    f->checksum = fw_checksum(f, sizeof *f);
    out->mp_floating = (struct fw_blob){FW_MP_FLOAT_ADDR, sizeof *f};
    return 0;
}
