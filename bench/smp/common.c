/*
 * bench/smp/smpbench.h: the TSC rate, histograms and report lines the SMP
 * benchmark guests share.
 */
#include "smpbench.h"

#define CPUID_TSC_LEAF  0x15 /* SDM Vol 2A CPUID: TSC/crystal ratio, crystal Hz */
#define CPUID_FREQ_LEAF 0x16 /* base, max, bus MHz */
#define PIT_CH0         0x40
#define PIT_CMD         0x43
#define PIT_CMD_CH0_M2  0x34 /* channel 0, lobyte/hibyte, mode 2, binary */
#define PIT_CMD_LATCH0  0x00
#define PIT_HZ          1193182u
#define NS_PER_S        1000000000ull
#define BAR_MAX         30

uint64_t smpb_tsc_hz;
const char *smpb_tsc_from = "none";
static uint64_t coarse_edge[SMPB_COARSE - 1]; /* in ticks: 100 ns, 200 ns, 500 ns, 1 us, ... 1 s */
static const char *const coarse_label[SMPB_COARSE] = {
    "< 100 ns", "< 200 ns", "< 500 ns", "<   1 us", "<   2 us", "<   5 us", "<  10 us", "<  20 us",
    "<  50 us", "< 100 us", "< 200 us", "< 500 us", "<   1 ms", "<   2 ms", "<   5 ms", "<  10 ms",
    "<  20 ms", "<  50 ms", "< 100 ms", "< 200 ms", "< 500 ms", "<   1 s",  ">=  1 s",
};

static uint16_t pit_count(void)
{
    outb(PIT_CMD, PIT_CMD_LATCH0);
    uint8_t lo = inb(PIT_CH0);
    return (uint16_t)(lo | inb(PIT_CH0) << 8);
}

/* TSC ticks across SMPB_PIT_MS of PIT channel 0 counting down (its IRQ is masked) */
static uint64_t pit_calibrate(void)
{
    outb(PIT_CMD, PIT_CMD_CH0_M2);
    outb(PIT_CH0, 0);
    outb(PIT_CH0, 0);
    uint16_t prev = pit_count();
    uint32_t elapsed = 0, want = (uint32_t)((uint64_t)PIT_HZ * SMPB_PIT_MS / 1000);
    uint64_t t0 = rdtsc(), t;
    do {
        uint16_t now = pit_count();
        elapsed += (uint16_t)(prev - now);
        prev = now;
        t = rdtsc();
    } while (elapsed < want && t - t0 < 100ull * NS_PER_S);
    /* scale by the PIT ticks actually seen, not the ones asked for */
    return elapsed ? (t - t0) * PIT_HZ / elapsed : 0;
}

const char *smpb_engine(void)
{
    if (engine_is_baremu())
        return "baremu";
    if (engine_is_qemu_tcg())
        return "qemu-tcg";
    if (engine_is_bochs())
        return "bochs";
    return "unknown";
}

void smpb_tsc_init(const char *name)
{
    uint32_t max = cpuid(0, 0).a;
    if (max >= CPUID_TSC_LEAF) {
        struct cpuid_regs r = cpuid(CPUID_TSC_LEAF, 0);
        if (r.a && r.b && r.c) {
            smpb_tsc_hz = (uint64_t)r.c * r.b / r.a;
            smpb_tsc_from = "cpuid-0x15";
        }
    }
    if (!smpb_tsc_hz && max >= CPUID_FREQ_LEAF) {
        uint32_t mhz = cpuid(CPUID_FREQ_LEAF, 0).a & 0xffff;
        if (mhz) {
            smpb_tsc_hz = (uint64_t)mhz * 1000000;
            smpb_tsc_from = "cpuid-0x16";
        }
    }
    if (!smpb_tsc_hz) {
        smpb_tsc_hz = pit_calibrate();
        smpb_tsc_from = "pit";
    }
    if (!smpb_tsc_hz) {
        smpb_tsc_hz = NS_PER_S; /* nothing to go by */
        smpb_tsc_from = "none";
    }
    static const uint32_t step[3] = {1, 2, 5};
    uint64_t decade = 100;
    for (unsigned i = 0; i < SMPB_COARSE - 1; i++) {
        coarse_edge[i] = decade * step[i % 3] * smpb_tsc_hz / NS_PER_S;
        if (i % 3 == 2)
            decade *= 10;
    }
    printf("%s: tsc_hz=%llu from=%s engine=%s cpus=%u\n", name, (unsigned long long)smpb_tsc_hz,
           smpb_tsc_from, smpb_engine(), plat.ncpus);
}

uint64_t smpb_ticks_to_ns(uint64_t ticks)
{
    /* ticks * 1e9 overflows past ~18 s at 1 GHz: split */
    uint64_t s = ticks / smpb_tsc_hz, rest = ticks % smpb_tsc_hz;
    return s * NS_PER_S + rest * NS_PER_S / smpb_tsc_hz;
}

static unsigned bucket_of(uint64_t v)
{
    if (v < SMPB_SUB)
        return (unsigned)v;
    unsigned msb = 63 - (unsigned)__builtin_clzll(v), shift = msb - SMPB_SUB_BITS;
    return (shift + 1) * SMPB_SUB + (unsigned)((v >> shift) & (SMPB_SUB - 1));
}

static uint64_t bucket_top(unsigned i)
{
    if (i < SMPB_SUB)
        return i;
    unsigned shift = i / SMPB_SUB - 1, sub = i % SMPB_SUB;
    return (((uint64_t)SMPB_SUB + sub + 1) << shift) - 1;
}

void smpb_hist_add(struct smpb_hist *h, uint64_t ticks)
{
    h->n[bucket_of(ticks)]++;
    unsigned c = 0;
    while (c < SMPB_COARSE - 1 && ticks >= coarse_edge[c])
        c++;
    h->coarse[c]++;
    if (!h->count || ticks > h->max)
        h->max = ticks;
    if (!h->count || ticks < h->min)
        h->min = ticks;
    h->count++;
}

void smpb_hist_merge(struct smpb_hist *into, const struct smpb_hist *from)
{
    if (!from->count)
        return;
    for (unsigned i = 0; i < SMPB_BUCKETS; i++)
        into->n[i] += from->n[i];
    for (unsigned i = 0; i < SMPB_COARSE; i++)
        into->coarse[i] += from->coarse[i];
    if (!into->count || from->max > into->max)
        into->max = from->max;
    if (!into->count || from->min < into->min)
        into->min = from->min;
    into->count += from->count;
}

uint64_t smpb_hist_quantile(const struct smpb_hist *h, uint32_t per_million)
{
    if (!h->count)
        return 0;
    /* the rank of the sample: ceil(count * q), at least 1 */
    uint64_t rank = (h->count * per_million + 999999) / 1000000, seen = 0;
    if (!rank)
        rank = 1;
    for (unsigned i = 0; i < SMPB_BUCKETS; i++) {
        seen += h->n[i];
        if (seen >= rank) {
            uint64_t top = bucket_top(i);
            return top < h->max ? top : h->max;
        }
    }
    return h->max;
}

void smpb_print_summary(const char *prefix, const struct smpb_hist *h)
{
    printf("%s n=%llu min_ns=%llu p50_ns=%llu p99_ns=%llu p99.9_ns=%llu max_ns=%llu\n", prefix,
           (unsigned long long)h->count, (unsigned long long)smpb_ticks_to_ns(h->min),
           (unsigned long long)smpb_ticks_to_ns(smpb_hist_quantile(h, 500000)),
           (unsigned long long)smpb_ticks_to_ns(smpb_hist_quantile(h, 990000)),
           (unsigned long long)smpb_ticks_to_ns(smpb_hist_quantile(h, 999000)),
           (unsigned long long)smpb_ticks_to_ns(h->max));
}

/* log2(v) in sixteenths, v >= 1 */
static unsigned log2_16(uint32_t v)
{
    unsigned msb = 31 - (unsigned)__builtin_clz(v);
    unsigned frac = msb >= 4 ? (v >> (msb - 4)) & 15 : (v << (4 - msb)) & 15;
    return msb * 16 + frac;
}

void smpb_print_text_hist(const char *prefix, const struct smpb_hist *h)
{
    int first = -1, last = -1;
    uint32_t most = 0;
    for (int i = 0; i < SMPB_COARSE; i++)
        if (h->coarse[i]) {
            if (first < 0)
                first = i;
            last = i;
            if (h->coarse[i] > most)
                most = h->coarse[i];
        }
    if (first < 0) {
        printf("%s (no samples)\n", prefix);
        return;
    }
    /* a bar of 1 for a count of 1, BAR_MAX for the largest, log scale between */
    unsigned top = log2_16(most);
    for (int i = first; i <= last; i++) {
        uint32_t c = h->coarse[i];
        unsigned bar = c ? 1 + (top ? log2_16(c) * (BAR_MAX - 1) / top : BAR_MAX - 1) : 0;
        char bars[BAR_MAX + 1];
        for (unsigned k = 0; k < BAR_MAX; k++)
            bars[k] = k < bar ? '#' : ' ';
        bars[BAR_MAX] = 0;
        uint64_t pm = (uint64_t)c * 1000 / h->count;
        printf("%s %s |%s %8u %3u.%u%%\n", prefix, coarse_label[i], bars, c, (unsigned)(pm / 10),
               (unsigned)(pm % 10));
    }
}

void smpb_sort_u32(uint32_t *v, uint32_t n)
{
    /* heapsort: build a max-heap, then move the top to the end */
    for (uint32_t start = n / 2; start-- > 0;) {
        for (uint32_t root = start;;) {
            uint32_t child = 2 * root + 1;
            if (child >= n)
                break;
            if (child + 1 < n && v[child] < v[child + 1])
                child++;
            if (v[root] >= v[child])
                break;
            uint32_t t = v[root];
            v[root] = v[child], v[child] = t, root = child;
        }
    }
    for (uint32_t end = n; end-- > 1;) {
        uint32_t t = v[0];
        v[0] = v[end], v[end] = t;
        for (uint32_t root = 0;;) {
            uint32_t child = 2 * root + 1;
            if (child >= end)
                break;
            if (child + 1 < end && v[child] < v[child + 1])
                child++;
            if (v[root] >= v[child])
                break;
            uint32_t t2 = v[root];
            v[root] = v[child], v[child] = t2, root = child;
        }
    }
}
