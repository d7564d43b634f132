/*
 * mptable_count: the firmware's MP table (Intel MultiProcessor Specification
 * 1.4, chapter 4) lists exactly the CPUs the machine has.
 *
 * Run with "cpus=N" (N <= 254) and N vCPUs. Finds the floating pointer
 * where 4 says to look (the first KiB of the EBDA, else the last KiB of base
 * memory, then 0xF0000-0xFFFFF, on 16-byte boundaries, with a good
 * checksum), then walks the configuration table: checksum, entry count,
 * enabled processor entries, one BSP with the CPU's own APIC ID, an ISA bus,
 * an I/O APIC, ISA IRQ 0 routed, NMI on LINT1.
 *
 * baremu lists every vCPU. SeaBIOS (under QEMU) lists only the first
 * logical processor of each package, so N CPUs in one package give one
 * entry; either count passes: N, or N over CPUID.01H:EBX[23:16] (logical
 * processors per package, when CPUID.01H:EDX.HTT is set).
 */
#include "rt/guest.h"

#define MP_FLOAT_SIG      "_MP_"
#define MP_CONFIG_SIG     "PCMP"
#define MP_PARAGRAPH      16
#define BDA_EBDA_SEG      0x40e
#define BDA_BASE_KB       0x413
#define EBDA_SCAN_LEN     1024
#define BIOS_ROM_START    0xf0000
#define BIOS_ROM_END      0x100000
#define MP_CPU_ENABLED    0x1
#define MP_CPU_BSP        0x2
#define MP_IOAPIC_ENABLED 0x1

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_IOINTR, MP_LINTR };
enum { MP_INT_NMI = 1 };

struct mp_floating {
    char sig[4];
    uint32_t config;
    uint8_t length, rev, checksum, features[5];
} __attribute__((packed));

struct mp_config {
    char sig[4];
    uint16_t length;
    uint8_t rev, checksum;
    char oem[8], product[12];
    uint32_t oem_table;
    uint16_t oem_size, count;
    uint32_t lapic;
    uint16_t ext_length;
    uint8_t ext_checksum, reserved;
} __attribute__((packed));

static bool sum_ok(const void *p, uint32_t len)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + b[i]);
    return s == 0;
}

static const struct mp_floating *scan(uint32_t start, uint32_t len)
{
    for (uint32_t a = start; a + sizeof(struct mp_floating) <= start + len; a += MP_PARAGRAPH) {
        const struct mp_floating *f = phys_ptr(a);
        if (__builtin_memcmp(f->sig, MP_FLOAT_SIG, 4) == 0 && f->length > 0 &&
            sum_ok(f, f->length * MP_PARAGRAPH))
            return f;
    }
    return NULL;
}

/* MP 1.4 4: EBDA, else the last KiB of base memory; then the BIOS ROM */
static const struct mp_floating *find_floating(void)
{
    uint32_t ebda = (uint32_t) * (const volatile uint16_t *)phys_ptr(BDA_EBDA_SEG) << 4;
    uint32_t base = (uint32_t) * (const volatile uint16_t *)phys_ptr(BDA_BASE_KB) * 1024;
    const struct mp_floating *f = NULL;
    if (ebda != 0)
        f = scan(ebda, EBDA_SCAN_LEN);
    else if (base >= EBDA_SCAN_LEN)
        f = scan(base - EBDA_SCAN_LEN, EBDA_SCAN_LEN);
    return f != NULL ? f : scan(BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START);
}

#define CPUID_HTT (1u << 28)

static uint32_t cpuid1(uint32_t *edx)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    if (edx != NULL)
        *edx = d;
    return b;
}

static uint32_t cpuid_initial_apic_id(void)
{
    return cpuid1(NULL) >> 24; /* CPUID.01H:EBX[31:24] */
}

/* logical processors per package, CPUID.01H:EBX[23:16] when HTT is set */
static uint32_t per_package(void)
{
    uint32_t edx, n = (cpuid1(&edx) >> 16) & 0xff;
    return (edx & CPUID_HTT) && n > 0 ? n : 1;
}

static const uint8_t entry_len[] = {
    [MP_PROCESSOR] = 20, [MP_BUS] = 8, [MP_IOAPIC] = 8, [MP_IOINTR] = 8, [MP_LINTR] = 8};

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    uint32_t cpus = 0;
    (void)magic, (void)mbi;
    tap_plan(10);
    bool have_cpus = tap_ok(arg_u32("cpus", &cpus), "command line gives cpus=N");

    const struct mp_floating *f = find_floating();
    if (!tap_ok(f != NULL, "MP floating pointer found, checksum good"))
        tap_bail("no MP table");
    tap_diag("floating pointer at %p, spec 1.%u, config at 0x%08x", (const void *)f, f->rev,
             f->config);
    const struct mp_config *c = phys_ptr(f->config);
    if (!tap_ok(f->features[0] == 0 && c != NULL && __builtin_memcmp(c->sig, MP_CONFIG_SIG, 4) == 0,
                "a configuration table (\"PCMP\"), not a default configuration"))
        tap_bail("no configuration table");
    tap_ok(sum_ok(c, c->length), "configuration table checksum over %u bytes", c->length);

    const uint8_t *p = (const uint8_t *)(c + 1), *end = (const uint8_t *)c + c->length;
    uint32_t n = 0, enabled = 0, bsps = 0, bsp_id = 0xffffffff, isa = 0, ioapics = 0;
    uint32_t irq0 = 0, nmi_lint1 = 0;
    bool bad = false;
    for (; p < end && !bad; n++) {
        if (p[0] > MP_LINTR || p + entry_len[p[0]] > end) {
            bad = true;
            break;
        }
        if (p[0] == MP_PROCESSOR && (p[3] & MP_CPU_ENABLED)) {
            enabled++;
            if (p[3] & MP_CPU_BSP)
                bsps++, bsp_id = p[1];
        }
        isa += p[0] == MP_BUS && __builtin_memcmp(p + 2, "ISA   ", 6) == 0;
        ioapics += p[0] == MP_IOAPIC && (p[3] & MP_IOAPIC_ENABLED);
        irq0 += p[0] == MP_IOINTR && p[1] == 0 && p[5] == 0; /* INT from ISA IRQ 0 */
        nmi_lint1 += p[0] == MP_LINTR && p[1] == MP_INT_NMI && p[7] == 1;
        p += entry_len[p[0]];
    }
    tap_ok(!bad && p == end && n == c->count, "%u entries walk exactly to the end (count %u)", n,
           c->count);
    uint32_t packages = (cpus + per_package() - 1) / per_package();
    tap_ok(have_cpus && (enabled == cpus || enabled == packages),
           "%u enabled processor entries for cpus=%u (every CPU, or each of %u packages)", enabled,
           cpus, packages);
    tap_ok(bsps == 1 && bsp_id == cpuid_initial_apic_id(),
           "one BSP entry, with this CPU's APIC ID %u", cpuid_initial_apic_id());
    tap_ok(isa >= 1 && ioapics >= 1, "an ISA bus and an enabled I/O APIC");
    tap_ok(irq0 >= 1, "ISA IRQ 0 is routed to the I/O APIC");
    tap_ok(nmi_lint1 >= 1, "NMI on LINT1");
    tap_done();
}
