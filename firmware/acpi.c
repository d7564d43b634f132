/*
 * acpi.c: the guest's ACPI tables (ACPI 6.3 chapter 5.2): RSDP, RSDT, XSDT,
 * FADT, FACS, MADT, HPET, the DSDT iasl compiled from dsdt.asl, and the SSDT
 * of ssdt.c. docs/firmware.md gives the layout and the FADT decisions.
 */
#include "firmware/acpi.h"

#include <string.h>

#include "emu/platform.h"
#include "firmware/fw_internal.h"

#include "dsdt.hex" /* dsdt_aml_code[]: $(BUILD)/firmware/, from firmware/firmware.mk */

#define RSDT_REVISION            1
#define XSDT_REVISION            1
#define HPET_REVISION            1
#define BITS_PER_BYTE            8
#define FLAT_LOGICAL_MAX_APIC_ID 7    /* SDM Vol 3A 10.6.2.2: flat mode names 8 APICs */
#define PM_C2_NONE               101  /* P_LVL2_LAT > 100: no C2 (ACPI 6.3 table 5-34) */
#define PM_C3_NONE               1001 /* P_LVL3_LAT > 1000: no C3 */

const uint8_t *acpi_dsdt_aml(size_t *len)
{
    *len = sizeof dsdt_aml_code;
    return dsdt_aml_code;
}

static void copy_id(char *dst, const char *src, size_t n)
{
    memcpy(dst, src, n); /* the IDs are exactly n characters, no NUL */
}

void acpi_header_init(struct acpi_header *h, const char sig[4], uint8_t revision)
{
    copy_id(h->signature, sig, sizeof h->signature);
    h->revision = revision;
    copy_id(h->oem_id, ACPI_OEM_ID, sizeof h->oem_id);
    copy_id(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof h->oem_table_id);
    h->oem_revision = ACPI_OEM_REVISION;
    copy_id(h->creator_id, ACPI_CREATOR_ID, sizeof h->creator_id);
    h->creator_revision = ACPI_CREATOR_REV;
}

void acpi_header_finish(struct acpi_header *h, uint32_t length)
{
    h->length = length;
    h->checksum = 0;
    h->checksum = fw_checksum(h, length);
}

static struct acpi_gas gas_io(uint16_t port, uint8_t len, uint8_t access)
{
    return (struct acpi_gas){ACPI_AS_IO, (uint8_t)(len * BITS_PER_BYTE), 0, access, port};
}

/* ---- MADT (5.2.12) -------------------------------------------------------- */

/*
 * vCPU i's processor entry. Its ACPI processor UID is i: the Processor
 * object's ProcID or the Device object's _UID (ssdt.c) says the same.
 * 5.2.12.12: APIC IDs below 255 use a Local APIC entry, the others a Local
 * x2APIC entry.
 */
size_t acpi_cpu_entry(const struct fw_config *cfg, unsigned i, uint8_t out[MADT_CPU_ENTRY_MAX])
{
    uint32_t id = fw_apic_id(cfg, i);
    if (fw_is_x2apic(cfg, i)) {
        struct madt_x2apic e = {MADT_X2APIC, sizeof e, 0, id, MADT_ENABLED, i};
        memcpy(out, &e, sizeof e);
        return sizeof e;
    }
    struct madt_lapic e = {MADT_LAPIC, sizeof e, (uint8_t)i, (uint8_t)id, MADT_ENABLED};
    memcpy(out, &e, sizeof e);
    return sizeof e;
}

static size_t madt_size(const struct fw_config *cfg, unsigned *nx2apic)
{
    size_t size = sizeof(struct acpi_madt) + sizeof(struct madt_ioapic) +
                  2 * sizeof(struct madt_iso) + sizeof(struct madt_lapic_nmi);
    *nx2apic = 0;
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        bool x2 = fw_is_x2apic(cfg, i);
        *nx2apic += x2;
        size += x2 ? sizeof(struct madt_x2apic) : sizeof(struct madt_lapic);
    }
    if (*nx2apic > 0)
        size += sizeof(struct madt_x2apic_nmi);
    return size;
}

static uint8_t *put(uint8_t *p, const void *entry, size_t len)
{
    memcpy(p, entry, len);
    return p + len;
}

static int build_madt(const struct fw_config *cfg, struct fw_region *r, struct fw_layout *out,
                      char *err, size_t errlen)
{
    unsigned nx2apic;
    size_t size = madt_size(cfg, &nx2apic);
    struct acpi_madt *m = fw_alloc(r, size, FW_TABLE_ALIGN, &out->madt, "MADT", err, errlen);
    if (m == NULL)
        return -1;
    acpi_header_init(&m->h, "APIC", ACPI_MADT_REVISION);
    m->lapic_addr = (uint32_t)PLAT_LAPIC_BASE;
    m->flags = MADT_PCAT_COMPAT; /* the 8259 pair is there, masked by the OS */

    uint8_t *p = (uint8_t *)(m + 1), entry[MADT_CPU_ENTRY_MAX];
    for (unsigned i = 0; i < cfg->ncpus; i++)
        p = put(p, entry, acpi_cpu_entry(cfg, i, entry));
    out->madt_x2apic = nx2apic;
    out->madt_lapic = cfg->ncpus - nx2apic;

    struct madt_ioapic io = {
        MADT_IOAPIC,         sizeof io, PLAT_IOAPIC_ID, 0, (uint32_t)PLAT_IOAPIC_BASE,
        PLAT_IOAPIC_GSI_BASE};
    p = put(p, &io, sizeof io);
    /* 5.2.12.5: the PIT's IRQ 0 is wired to GSI 2; ISA polarity and trigger */
    struct madt_iso pit = {MADT_ISO, sizeof pit, 0, PLAT_IRQ_PIT, PLAT_GSI_PIT, INTI_CONFORMS};
    p = put(p, &pit, sizeof pit);
    /* the SCI is level-triggered, active high (not the ISA default, edge) */
    struct madt_iso sci = {MADT_ISO,     sizeof sci,   0,
                           PLAT_IRQ_SCI, PLAT_IRQ_SCI, INTI_POLARITY_HIGH | INTI_TRIGGER_LEVEL};
    p = put(p, &sci, sizeof sci);
    /* 5.2.12.7: every processor's LINT1 is NMI; x2APIC processors too (5.2.12.13) */
    struct madt_lapic_nmi nmi = {MADT_LAPIC_NMI, sizeof nmi, MADT_UID_ALL_8, INTI_CONFORMS,
                                 PLAT_LINT1_NMI};
    p = put(p, &nmi, sizeof nmi);
    if (nx2apic > 0) {
        struct madt_x2apic_nmi x2nmi = {MADT_X2APIC_NMI, sizeof x2nmi,   INTI_CONFORMS,
                                        MADT_UID_ALL_32, PLAT_LINT1_NMI, {0}};
        p = put(p, &x2nmi, sizeof x2nmi);
    }
    acpi_header_finish(&m->h, (uint32_t)(p - (uint8_t *)m));
    return 0;
}

/* ---- FADT (5.2.9), FACS (5.2.10), HPET ------------------------------------ */

static uint32_t max_apic_id(const struct fw_config *cfg)
{
    uint32_t max = 0;
    for (unsigned i = 0; i < cfg->ncpus; i++)
        if (fw_apic_id(cfg, i) > max)
            max = fw_apic_id(cfg, i);
    return max;
}

/*
 * The flags, one decision each (docs/firmware.md says why):
 * WBINVD works; C1 (HLT) on every CPU; no fixed power or sleep button; no
 * RTC wake status; a 24-bit PM timer; the reset register; headless; and
 * physical destination mode when an APIC ID is beyond flat logical mode.
 */
static uint32_t fadt_flags(const struct fw_config *cfg)
{
    uint32_t f = FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_FIX_RTC |
                 FADT_RESET_REG_SUP | FADT_HEADLESS;
    if (PLAT_PM_TMR_BITS == 32)
        f |= FADT_TMR_VAL_EXT;
    if (max_apic_id(cfg) > FLAT_LOGICAL_MAX_APIC_ID)
        f |= FADT_FORCE_APIC_PHYSICAL_DEST;
    return f;
}

static int build_fadt(const struct fw_config *cfg, struct fw_region *r, struct fw_layout *out,
                      char *err, size_t errlen)
{
    struct acpi_fadt *f = fw_alloc(r, sizeof *f, FW_TABLE_ALIGN, &out->fadt, "FADT", err, errlen);
    if (f == NULL)
        return -1;
    acpi_header_init(&f->h, "FACP", ACPI_FADT_REVISION);
    f->firmware_ctrl = (uint32_t)out->facs.addr; /* below 4 GiB: X_FIRMWARE_CTRL stays 0 */
    f->dsdt = (uint32_t)out->dsdt.addr;
    f->x_dsdt = out->dsdt.addr;
    f->sci_int = PLAT_IRQ_SCI;
    /* SMI_CMD 0: no SMM, the machine is in ACPI mode from reset (SCI_EN reads 1) */
    f->pm1a_evt_blk = PLAT_PORT_PM_BASE + PLAT_PM1A_EVT_OFF;
    f->pm1a_cnt_blk = PLAT_PORT_PM_BASE + PLAT_PM1A_CNT_OFF;
    f->pm_tmr_blk = PLAT_PORT_PM_BASE + PLAT_PM_TMR_OFF;
    f->pm1_evt_len = PLAT_PM1_EVT_LEN;
    f->pm1_cnt_len = PLAT_PM1_CNT_LEN;
    f->pm_tmr_len = PLAT_PM_TMR_LEN;
    f->p_lvl2_lat = PM_C2_NONE;
    f->p_lvl3_lat = PM_C3_NONE;
    f->century = PLAT_CMOS_CENTURY;
    /* no FADT_BOOT_8042: the platform's i8042 is a reset and A20 line only, with no keyboard,
     * no mouse and no IRQs, so an OS must not probe for them (docs/firmware.md) */
    f->iapc_boot_arch =
        FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_NO_VGA | FADT_BOOT_NO_MSI | FADT_BOOT_NO_ASPM;
    f->flags = fadt_flags(cfg);
    f->reset_reg = gas_io(PLAT_PORT_RESET, 1, ACPI_ACCESS_BYTE);
    f->reset_value = PLAT_RESET_VALUE;
    f->minor_version = ACPI_FADT_MINOR;
    /* 5.2.9: the X_ blocks say what the 32-bit ones say, lengths in bits */
    f->x_pm1a_evt_blk = gas_io((uint16_t)f->pm1a_evt_blk, PLAT_PM1_EVT_LEN, ACPI_ACCESS_UNDEF);
    f->x_pm1a_cnt_blk = gas_io((uint16_t)f->pm1a_cnt_blk, PLAT_PM1_CNT_LEN, ACPI_ACCESS_UNDEF);
    f->x_pm_tmr_blk = gas_io((uint16_t)f->pm_tmr_blk, PLAT_PM_TMR_LEN, ACPI_ACCESS_UNDEF);
    acpi_header_finish(&f->h, sizeof *f);
    return 0;
}

static int build_facs(struct fw_region *r, struct fw_layout *out, char *err, size_t errlen)
{
    struct acpi_facs *f = fw_alloc(r, sizeof *f, ACPI_FACS_ALIGN, &out->facs, "FACS", err, errlen);
    if (f == NULL)
        return -1;
    copy_id(f->signature, "FACS", sizeof f->signature);
    f->length = sizeof *f;
    f->version = ACPI_FACS_VERSION;
    return 0;
}

static int build_hpet(struct fw_region *r, struct fw_layout *out, char *err, size_t errlen)
{
    struct acpi_hpet *h = fw_alloc(r, sizeof *h, FW_TABLE_ALIGN, &out->hpet, "HPET", err, errlen);
    if (h == NULL)
        return -1;
    acpi_header_init(&h->h, "HPET", HPET_REVISION);
    /* HPET 1.0a 2.3.1 GCAP_ID: REV_ID, NUM_TIM_CAP, COUNT_SIZE_CAP, LEG_RT_CAP, VENDOR_ID */
    h->event_timer_block_id = PLAT_HPET_REV_ID | (PLAT_HPET_TIMERS - 1) << HPET_CAP_NUM_TIM_SHIFT |
                              HPET_CAP_COUNT_SIZE | HPET_CAP_LEG_RT |
                              (uint32_t)PLAT_HPET_VENDOR_ID << HPET_CAP_VENDOR_SHIFT;
    h->base =
        (struct acpi_gas){ACPI_AS_MEMORY, HPET_REG_BITS, 0, ACPI_ACCESS_UNDEF, PLAT_HPET_BASE};
    h->min_tick = HPET_MIN_TICK;
    acpi_header_finish(&h->h, sizeof *h);
    return 0;
}

static int build_dsdt(struct fw_region *r, struct fw_layout *out, char *err, size_t errlen)
{
    size_t len;
    const uint8_t *aml = acpi_dsdt_aml(&len);
    void *p = fw_alloc(r, len, FW_TABLE_ALIGN, &out->dsdt, "DSDT", err, errlen);
    if (p == NULL)
        return -1;
    memcpy(p, aml, len); /* iasl wrote its checksum */
    return 0;
}

/* ---- RSDT, XSDT (5.2.7, 5.2.8) and the RSDP (5.2.5) ----------------------- */

static int build_roots(struct fw_region *r, uint8_t *ram, struct fw_layout *out, char *err,
                       size_t errlen)
{
    const struct fw_blob *tables[] = {&out->fadt, &out->madt, &out->hpet, &out->ssdt};
    const size_t n = sizeof tables / sizeof tables[0];

    size_t rsdt_len = sizeof(struct acpi_header) + n * sizeof(uint32_t);
    struct acpi_header *rsdt =
        fw_alloc(r, rsdt_len, FW_TABLE_ALIGN, &out->rsdt, "RSDT", err, errlen);
    if (rsdt == NULL)
        return -1;
    acpi_header_init(rsdt, "RSDT", RSDT_REVISION);
    for (size_t i = 0; i < n; i++)
        fw_put32((uint8_t *)(rsdt + 1) + i * sizeof(uint32_t), (uint32_t)tables[i]->addr);
    acpi_header_finish(rsdt, (uint32_t)rsdt_len);

    size_t xsdt_len = sizeof(struct acpi_header) + n * sizeof(uint64_t);
    struct acpi_header *xsdt =
        fw_alloc(r, xsdt_len, FW_TABLE_ALIGN, &out->xsdt, "XSDT", err, errlen);
    if (xsdt == NULL)
        return -1;
    acpi_header_init(xsdt, "XSDT", XSDT_REVISION);
    for (size_t i = 0; i < n; i++)
        fw_put64((uint8_t *)(xsdt + 1) + i * sizeof(uint64_t), tables[i]->addr);
    acpi_header_finish(xsdt, (uint32_t)xsdt_len);

    struct acpi_rsdp *p = (struct acpi_rsdp *)(ram + FW_RSDP_ADDR);
    memset(p, 0, sizeof *p);
    copy_id(p->signature, "RSD PTR ", sizeof p->signature);
    copy_id(p->oem_id, ACPI_OEM_ID, sizeof p->oem_id);
    p->revision = ACPI_RSDP_REVISION;
    p->rsdt_addr = (uint32_t)out->rsdt.addr;
    p->length = sizeof *p;
    p->xsdt_addr = out->xsdt.addr;
    p->checksum = fw_checksum(p, ACPI_RSDP_V1_LEN);
    p->ext_checksum = fw_checksum(p, sizeof *p);
    out->rsdp = (struct fw_blob){FW_RSDP_ADDR, sizeof *p};
    return 0;
}

int acpi_build(const struct fw_config *cfg, uint8_t *ram, struct fw_layout *out, char *err,
               size_t errlen)
{
    uint64_t base = fw_acpi_region_base(cfg);
    struct fw_region nvs = {ram, base, base + FW_ACPI_NVS_SIZE, "the ACPI NVS page"};
    struct fw_region r = {ram, base + FW_ACPI_NVS_SIZE, base + FW_ACPI_REGION_SIZE,
                          "the ACPI region"};
    memset(ram + base, 0, FW_ACPI_REGION_SIZE);
    out->acpi_nvs = (struct fw_blob){nvs.next, FW_ACPI_NVS_SIZE};
    out->acpi_reclaim = (struct fw_blob){r.next, FW_ACPI_REGION_SIZE - FW_ACPI_NVS_SIZE};

    if (build_facs(&nvs, out, err, errlen) != 0 || build_dsdt(&r, out, err, errlen) != 0 ||
        ssdt_build(cfg, &r, &out->ssdt, err, errlen) != 0 ||
        build_fadt(cfg, &r, out, err, errlen) != 0 || build_madt(cfg, &r, out, err, errlen) != 0 ||
        build_hpet(&r, out, err, errlen) != 0 || build_roots(&r, ram, out, err, errlen) != 0)
        return -1;
    return 0;
}
