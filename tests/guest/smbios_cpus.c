/*
 * smbios_cpus: the firmware's SMBIOS tables (DMTF DSP0134 3.3) count the
 * CPUs the machine has.
 *
 * Run with "cpus=N" and N vCPUs. Finds the 3.0 entry point ("_SM3_") or the
 * 2.1 one ("_SM_" with "_DMI_") on a 16-byte boundary in 0xF0000-0xFFFFF
 * (5.2), checks its checksums, walks the structure table (6.1.2: formatted
 * area, then strings ending in a double NUL) up to type 127, and adds the
 * Thread Count of every populated Processor Information structure (7.5;
 * Thread Count 2 when the old field says 0xFF).
 */
#include "rt/guest.h"

#define SCAN_START       0xf0000
#define SCAN_END         0x100000
#define SCAN_ALIGN       16
#define TYPE_BIOS        0
#define TYPE_SYSTEM      1
#define TYPE_CPU         4
#define TYPE_END         127
#define CPU_POPULATED    0x40 /* 7.5.5 status bit 6 */
#define CPU_THREADS      0x25
#define CPU_THREADS2     0x2e
#define CPU_THREADS2_LEN 0x30
#define COUNT_IN_2       0xff

static bool sum_ok(const uint8_t *p, uint32_t len)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    return s == 0;
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* the table's address and length from a good entry point, 3.0 first */
static bool find_table(uint32_t *addr, uint32_t *len, int *version)
{
    for (int pass = 3; pass >= 2; pass--)
        for (uint32_t a = SCAN_START; a < SCAN_END; a += SCAN_ALIGN) {
            const uint8_t *e = phys_ptr(a);
            if (pass == 3 && __builtin_memcmp(e, "_SM3_", 5) == 0 && e[6] >= 0x18 &&
                sum_ok(e, e[6]) && get32(e + 0x14) == 0) {
                *addr = get32(e + 0x10), *len = get32(e + 0x0c), *version = 3;
                return true;
            }
            if (pass == 2 && __builtin_memcmp(e, "_SM_", 4) == 0 && e[5] >= 0x1f &&
                sum_ok(e, e[5]) && __builtin_memcmp(e + 0x10, "_DMI_", 5) == 0 &&
                sum_ok(e + 0x10, 15)) {
                *addr = get32(e + 0x18), *len = (uint32_t)(e[0x16] | e[0x17] << 8), *version = 2;
                return true;
            }
        }
    return false;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    uint32_t cpus = 0, addr = 0, len = 0;
    int version = 0;
    (void)magic, (void)mbi;
    tap_plan(5);
    bool have_cpus = tap_ok(arg_u32("cpus", &cpus), "command line gives cpus=N");
    if (!tap_ok(find_table(&addr, &len, &version), "an SMBIOS entry point with good checksums"))
        tap_bail("no SMBIOS");
    tap_diag("SMBIOS %d.x entry point, table at 0x%08x, at most %u bytes", version, addr, len);

    const uint8_t *p = phys_ptr(addr), *end = p + len;
    uint32_t threads = 0, seen = 0;
    bool ended = false, bad = false;
    while (!ended && !bad) {
        if (p + 4 > end || p[1] < 4 || p + p[1] > end) {
            bad = true;
            break;
        }
        const uint8_t *s = p + p[1];
        while (s + 1 < end && !(s[0] == 0 && s[1] == 0))
            s++;
        if (s + 1 >= end) {
            bad = true;
            break;
        }
        if (p[0] < 32)
            seen |= 1u << p[0];
        if (p[0] == TYPE_CPU && p[1] > CPU_THREADS && (p[0x18] & CPU_POPULATED)) {
            uint32_t t = p[CPU_THREADS];
            if (t == COUNT_IN_2 && p[1] >= CPU_THREADS2_LEN)
                t = (uint32_t)(p[CPU_THREADS2] | p[CPU_THREADS2 + 1] << 8);
            threads += t;
        }
        ended = p[0] == TYPE_END;
        p = s + 2;
    }
    tap_ok(ended && !bad, "the structures walk to the end-of-table structure");
    tap_ok((seen & (1u << TYPE_BIOS | 1u << TYPE_SYSTEM | 1u << TYPE_CPU)) ==
               (1u << TYPE_BIOS | 1u << TYPE_SYSTEM | 1u << TYPE_CPU),
           "BIOS, System and Processor Information structures are there");
    tap_ok(have_cpus && threads == cpus, "the processors' thread counts add up to %u (cpus=%u)",
           threads, cpus);
    tap_done();
}
