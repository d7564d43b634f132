/*
 * ACPI table discovery, ACPI 6.5 section 5.2.5.1 (finding the RSDP on
 * IA-PC systems) and 5.2.7-5.2.8 (RSDT, XSDT). Paging is off, so table
 * addresses are pointers; XSDT entries above 4 GiB are unreachable and
 * skipped.
 */
#include "guest.h"

static const struct acpi_rsdp *rsdp;
static const struct acpi_sdt *root;
static bool root_is_xsdt;

bool acpi_checksum_ok(const void *p, uint32_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum += *b++;
    return sum == 0;
}

bool acpi_table_ok(const struct acpi_sdt *t)
{
    return t->length >= sizeof(*t) && acpi_checksum_ok(t, t->length);
}

/* 5.2.5.3: the first 20 bytes always sum to 0; revision 2+ also all 36 */
static bool rsdp_valid(const struct acpi_rsdp *r)
{
    if (memcmp(r->sig, ACPI_RSDP_SIG, sizeof(r->sig)) != 0)
        return false;
    if (!acpi_checksum_ok(r, ACPI_RSDP_V1_LEN))
        return false;
    if (r->revision >= 2 && !acpi_checksum_ok(r, ACPI_RSDP_V2_LEN))
        return false;
    return true;
}

static const struct acpi_rsdp *rsdp_scan(uintptr_t start, uintptr_t end)
{
    for (uintptr_t a = start; a + ACPI_RSDP_V1_LEN <= end; a += ACPI_RSDP_ALIGN)
        if (rsdp_valid(phys_ptr(a)))
            return phys_ptr(a);
    return NULL;
}

/* 5.2.5.1: the first KiB of the EBDA, then the BIOS ROM area */
static const struct acpi_rsdp *rsdp_find(void)
{
    uintptr_t ebda = (uintptr_t) * (volatile uint16_t *)phys_ptr(ACPI_BDA_EBDA_SEG) << 4;
    const struct acpi_rsdp *r = NULL;

    if (ebda)
        r = rsdp_scan(ebda, ebda + ACPI_EBDA_SCAN_LEN);
    if (!r)
        r = rsdp_scan(ACPI_BIOS_ROM_START, ACPI_BIOS_ROM_END);
    return r;
}

static enum acpi_err root_check(const struct acpi_sdt *t, const char *sig)
{
    if (memcmp(t->sig, sig, 4) != 0)
        return ACPI_BAD_ROOT_SIG;
    if (t->length < sizeof(*t))
        return ACPI_BAD_ROOT_LEN;
    if (!acpi_checksum_ok(t, t->length))
        return ACPI_BAD_ROOT_SUM;
    return ACPI_OK;
}

enum acpi_err acpi_init(void)
{
    rsdp = rsdp_find();
    if (!rsdp)
        return ACPI_NO_RSDP;
    /* 5.2.5.3: use the XSDT when there is one (and we can reach it) */
    if (rsdp->revision >= 2 && rsdp->xsdt_addr && rsdp->xsdt_addr <= UINT32_MAX) {
        root = phys_ptr((uintptr_t)rsdp->xsdt_addr);
        root_is_xsdt = true;
        return root_check(root, "XSDT");
    }
    root = phys_ptr(rsdp->rsdt_addr);
    root_is_xsdt = false;
    return root_check(root, "RSDT");
}

const char *acpi_strerror(enum acpi_err e)
{
    switch (e) {
    case ACPI_OK:
        return "ok";
    case ACPI_NO_RSDP:
        return "no RSDP with a valid checksum in the EBDA or 0xE0000-0xFFFFF";
    case ACPI_BAD_ROOT_SUM:
        return "RSDT/XSDT checksum is wrong";
    case ACPI_BAD_ROOT_SIG:
        return "RSDT/XSDT signature is wrong";
    case ACPI_BAD_ROOT_LEN:
        return "RSDT/XSDT length is shorter than its header";
    }
    return "unknown error";
}

const struct acpi_rsdp *acpi_rsdp(void)
{
    return rsdp;
}

const struct acpi_sdt *acpi_root(void)
{
    return root;
}

bool acpi_root_is_xsdt(void)
{
    return root_is_xsdt;
}

const struct acpi_sdt *acpi_find(const char *sig)
{
    if (!root)
        return NULL;
    uint32_t esize = root_is_xsdt ? 8 : 4;
    uint32_t n = (root->length - sizeof(*root)) / esize;
    const uint8_t *entries = (const uint8_t *)(root + 1);

    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr;
        if (root_is_xsdt)
            memcpy(&addr, entries + i * esize, sizeof(addr));
        else
            addr = *(const uint32_t *)(entries + i * esize);
        if (addr == 0 || addr > UINT32_MAX)
            continue;
        const struct acpi_sdt *t = phys_ptr((uintptr_t)addr);
        if (memcmp(t->sig, sig, 4) == 0)
            return t;
    }
    return NULL;
}

const struct madt_entry *madt_next(const struct acpi_madt *m, const struct madt_entry *prev,
                                   bool *malformed)
{
    const uint8_t *end = (const uint8_t *)m + m->hdr.length;
    const uint8_t *p = prev ? (const uint8_t *)prev + prev->length : (const uint8_t *)(m + 1);

    if (p == end)
        return NULL;
    const struct madt_entry *e = (const struct madt_entry *)p;
    if (p + sizeof(*e) > end || e->length < sizeof(*e) || p + e->length > end) {
        if (malformed)
            *malformed = true;
        return NULL;
    }
    return e;
}
