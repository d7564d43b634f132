/*
 * emu/cpu/cpuid.c: CPUID (SDM Vol 2A CPUID). A GenuineIntel family 6
 * processor that advertises only what baremu implements: the x87 FPU (x87*.c),
 * and no SSE bits until the SSE half of issue 8. Per vCPU: its APIC ID in leaves 1, 0xB and 0x1F,
 * with one core per vCPU and one thread per core (10.6 of the SDM's topology
 * enumeration); the TSC and crystal in 0x15/0x16, which Linux trusts from
 * Intel to skip calibration; no architectural PMU (0xA = 0); and a
 * hypervisor range with the TSC and LAPIC frequencies at 0x40000010 as
 * VMware and KVM define it.
 */
#include <string.h>

#include "emu/cpu/internal.h"

#define CPUID_MAX_BASIC 0x1fu
#define CPUID_HV        0x40000000u
#define CPUID_HV_TIMING 0x40000010u /* EAX: TSC kHz, EBX: LAPIC timer kHz */
#define CPUID_HV_END    0x50000000u
#define CPUID_EXT       0x80000000u
#define CPUID_MAX_EXT   0x80000008u

#define CPUID_1_EDX_CLFLUSH (1u << 19)
#define TOPO_SMT            1u /* leaf 0xB level types */
#define TOPO_CORE           2u

struct cpuid_regs {
    uint32_t a, b, c, d;
};

static void str_regs(const char *s, uint32_t *r0, uint32_t *r1, uint32_t *r2)
{
    memcpy(r0, s, 4);
    memcpy(r1, s + 4, 4);
    memcpy(r2, s + 8, 4);
}

static uint32_t apic_id(const struct cpu *c)
{
    return c->feat.ncpus ? c->feat.apic_id : c->index;
}

/* bits of the APIC ID that number cores in a package of n */
static uint32_t core_bits(unsigned n)
{
    uint32_t b = 0;
    while ((1u << b) < n)
        b++;
    return b;
}

static struct cpuid_regs leaf_topology(const struct cpu *c, uint32_t sub)
{
    unsigned n = c->feat.ncpus ? c->feat.ncpus : 1;
    struct cpuid_regs r = {0, 0, sub & 0xff, apic_id(c)};
    if (sub == 0) {
        r.b = 1; /* one thread per core */
        r.c |= TOPO_SMT << 8;
    } else if (sub == 1) {
        r.a = core_bits(n);
        r.b = n;
        r.c |= TOPO_CORE << 8;
    }
    return r;
}

/* 0x15: TSC = crystal * EBX / EAX; the crystal must fit in 32 bits */
static struct cpuid_regs leaf_tsc(const struct cpu *c)
{
    uint64_t hz = c->feat.tsc_hz, num = 1;
    struct cpuid_regs r = {0, 0, 0, 0};
    if (!hz)
        return r;
    while (hz > UINT32_MAX)
        hz >>= 1, num <<= 1;
    r.a = 1;
    r.b = (uint32_t)num;
    r.c = (uint32_t)hz;
    return r;
}

static struct cpuid_regs cpuid_leaf(const struct cpu *c, uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r = {0, 0, 0, 0};
    bool machine = c->bus->rdmsr != NULL; /* a LAPIC behind the bus */
    if (leaf >= CPUID_HV && leaf < CPUID_HV_END) {
        if (leaf == CPUID_HV) {
            r.a = CPUID_HV_TIMING;
            str_regs("baremubaremu", &r.b, &r.c, &r.d);
        } else if (leaf == CPUID_HV_TIMING) {
            r.a = (uint32_t)(c->feat.tsc_hz / 1000);
            r.b = (uint32_t)(c->feat.lapic_hz / 1000);
        }
        return r;
    }
    /* beyond the highest leaf Intel answers with the highest basic leaf */
    if ((leaf < CPUID_EXT && leaf > CPUID_MAX_BASIC) || leaf > CPUID_MAX_EXT)
        leaf = CPUID_MAX_BASIC;
    switch (leaf) {
    case 0:
        r.a = CPUID_MAX_BASIC;
        str_regs("GenuineIntel", &r.b, &r.d, &r.c);
        break;
    case 1:
        r.a = CPU_SIGNATURE;
        r.b = (apic_id(c) << 24) | (1u << 16) | (8u << 8); /* 1 logical, 64-byte lines */
        r.c = CPUID_1_ECX_CX16 | CPUID_1_ECX_MOVBE | CPUID_1_ECX_POPCNT | CPUID_1_ECX_HYPERVISOR;
        r.d = CPUID_1_EDX_FPU | CPUID_1_EDX_TSC | CPUID_1_EDX_CX8 | CPUID_1_EDX_CMOV | CPUID_1_EDX_PSE |
              CPUID_1_EDX_MSR | CPUID_1_EDX_PAE | CPUID_1_EDX_SEP | CPUID_1_EDX_MTRR |
              CPUID_1_EDX_PGE | CPUID_1_EDX_PAT | CPUID_1_EDX_PSE36 | CPUID_1_EDX_CLFLUSH;
        if (machine) {
            r.c |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
            r.d |= CPUID_1_EDX_APIC;
        }
        break;
    case 0xd: {
        uint32_t x[4];
        cpu_cpuid_xsave(sub, x);
        r = (struct cpuid_regs){x[0], x[1], x[2], x[3]};
        break;
    }
    case 7:
        if (sub == 0)
            r.b = CPUID_7_EBX_TSC_ADJUST | (c->feat.tzcnt ? CPUID_7_EBX_BMI1 : 0) | CPUID_7_EBX_SMEP |
                  CPUID_7_EBX_SMAP;
        break;
    case 0xb:
    case 0x1f:
        r = leaf_topology(c, sub);
        break;
    case 0x15:
        r = leaf_tsc(c);
        break;
    case 0x16:
        r.a = r.b = (uint32_t)(c->feat.tsc_hz / 1000000);
        r.c = (uint32_t)(c->feat.lapic_hz / 1000000);
        break;
    case CPUID_EXT:
        r.a = CPUID_MAX_EXT;
        break;
    case CPUID_EXT + 1:
        r.c = CPUID_80000001_ECX_LAHF | CPUID_80000001_ECX_ABM;
        r.d = CPUID_80000001_EDX_LM | CPUID_80000001_EDX_SYSCALL | CPUID_80000001_EDX_NX |
              CPUID_80000001_EDX_PDPE1GB | CPUID_80000001_EDX_RDTSCP;
        break;
    case CPUID_EXT + 2:
    case CPUID_EXT + 3:
    case CPUID_EXT + 4: {
        static const char brand[48] = "baremu virtual CPU";
        const char *p = brand + 16 * (leaf - CPUID_EXT - 2);
        memcpy(&r.a, p, 4);
        memcpy(&r.b, p + 4, 4);
        memcpy(&r.c, p + 8, 4);
        memcpy(&r.d, p + 12, 4);
        break;
    }
    case CPUID_EXT + 7:
        r.d = CPUID_80000007_EDX_INVTSC; /* the guest TSC is the machine's constant clock */
        break;
    case CPUID_EXT + 8:
        r.a = 48u << 8 | 46u; /* 48-bit linear, 46-bit physical addresses */
        break;
    }
    return r;
}

/* 0F A2 */
HANDLER(op_cpuid)
{
    (void)i;
    struct cpuid_regs r = cpuid_leaf(c, (uint32_t)c->gpr[REG_RAX], (uint32_t)c->gpr[REG_RCX]);
    c->gpr[REG_RAX] = r.a;
    c->gpr[REG_RBX] = r.b;
    c->gpr[REG_RCX] = r.c;
    c->gpr[REG_RDX] = r.d;
}
