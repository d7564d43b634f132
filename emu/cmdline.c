/*
 * cmdline.c: the QEMU-style command line (see cmdline.h).
 *
 * Syntax after qemu-system-x86_64(1): key=value lists as in QEMU's
 * util/qemu-option.c (first key implied, ",," is a comma), sizes as in
 * qemu_strtosz() of util/cutils.c. Every option is one row of options[].
 */
#include "emu/cmdline.h"

#include "emu/debug.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x)  STR_(x)

#define SHOWN_MAX       64 /* longest piece of user input quoted in a message */
#define FRACTION_DIGITS 9  /* digits of a size fraction that count */
#define USAGE_COLUMN    24 /* where the option descriptions start */
#define U64_DIGITS      20 /* decimal digits of UINT64_MAX */

struct parse_ctx {
    struct baremu_config *cfg;
    const char *opt; /* the option being parsed, for messages: "-smp" */
    char *err;
    size_t errlen;
};

/* a handler returns 0 to go on, 1 to stop parsing (-h), -1 on error */
typedef int cmdline_handler(struct parse_ctx *p, char *arg);

struct cmdline_option {
    const char *name;  /* without the dash */
    const char *alias; /* or NULL */
    const char *arg;   /* the argument, for the usage; NULL: the option takes none */
    unsigned hosts;    /* enum cmdline_host bits it is valid in */
    bool once;         /* may be given only once */
    cmdline_handler *parse;
    const char *help;
};

/* ---- messages ------------------------------------------------------------ */

static void set_error(char *err, size_t errlen, const char *fmt, va_list ap)
{
    if (err != NULL && errlen > 0)
        vsnprintf(err, errlen, fmt, ap);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* "-opt: " and the message */
__attribute__((format(printf, 2, 3))) static int opt_fail(struct parse_ctx *p, const char *fmt, ...)
{
    char *err = p->err;
    size_t errlen = p->errlen;
    if (err == NULL || errlen == 0)
        return -1;
    int n = snprintf(err, errlen, "%s: ", p->opt);
    if (n < 0 || (size_t)n >= errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    set_error(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/*
 * Copy user input for a message: at most SHOWN_MAX bytes, then "...", with
 * control bytes as '?' so that a message stays one line.
 */
static const char *show(char out[SHOWN_MAX + 4], const char *s, size_t len)
{
    size_t n = len < SHOWN_MAX ? len : SHOWN_MAX;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (len > SHOWN_MAX)
        memcpy(out + n, "...", 3), n += 3;
    out[n] = '\0';
    return out;
}

static const char *host_name(unsigned host)
{
    return host == CMDLINE_HOSTED ? "the hosted program" : "the bare-metal kernel";
}

/* ---- numbers ------------------------------------------------------------- */

enum num_status { NUM_OK, NUM_BAD, NUM_RANGE };

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* decimal digits s[0..len-1], nothing else */
static enum num_status parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0)
        return NUM_BAD;
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i]))
            return NUM_BAD;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return NUM_RANGE;
        v = v * 10 + d;
    }
    *out = v;
    return NUM_OK;
}

/* the size suffixes of qemu_strtosz(), as a power of two; -1 if c is none */
static int suffix_shift(char c)
{
    static const char suffixes[] = "bkmgtpe"; /* B, KiB, MiB, ... EiB */
    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    const char *hit = c != '\0' ? strchr(suffixes, c) : NULL;
    return hit != NULL ? (int)(hit - suffixes) * 10 : -1;
}

/*
 * A -m SIZE into bytes, checked against BAREMU_MIN_RAM..BAREMU_MAX_RAM and
 * rounded up to BAREMU_RAM_ALIGN. The fraction n / 10^digits of mul is
 * (mul / 10^d) * n + (mul % 10^d) * n / 10^d, exact and free of overflow.
 */
static int parse_size(struct parse_ctx *p, const char *s, size_t len, uint64_t *bytes)
{
    char shown[SHOWN_MAX + 4];
    size_t i = 0;
    while (i < len && is_digit(s[i]))
        i++;
    size_t int_len = i;
    uint64_t frac = 0, scale = 1;
    bool has_fraction = i < len && s[i] == '.';
    if (has_fraction) {
        size_t start = ++i;
        for (; i < len && is_digit(s[i]); i++)
            if (i - start < FRACTION_DIGITS)
                frac = frac * 10 + (uint64_t)(s[i] - '0'), scale *= 10;
        if (i == start)
            int_len = 0; /* "1." or "1.G": not a number */
    }
    if (int_len == 0)
        return opt_fail(p, "size '%s' is not a number", show(shown, s, len));

    int shift = 20; /* no suffix: MiB */
    if (i < len) {
        shift = len - i == 1 ? suffix_shift(s[i]) : -1;
        if (shift < 0) {
            char suffix[SHOWN_MAX + 4];
            return opt_fail(p, "size '%s' has an unknown suffix '%s'", show(shown, s, len),
                            show(suffix, s + i, len - i));
        }
    }
    if (shift == 0 && has_fraction)
        return opt_fail(p, "size '%s' is a fraction of a byte", show(shown, s, len));

    uint64_t whole, mul = UINT64_C(1) << shift;
    enum num_status st = parse_u64(s, int_len, &whole);
    uint64_t part = (mul / scale) * frac + (mul % scale) * frac / scale;
    if (st != NUM_OK || whole > (UINT64_MAX - part) / mul || whole * mul + part > BAREMU_MAX_RAM)
        goto out_of_range;
    uint64_t v = whole * mul + part;
    v = (v + BAREMU_RAM_ALIGN - 1) & ~(BAREMU_RAM_ALIGN - 1);
    if (v < BAREMU_MIN_RAM)
        goto out_of_range;
    *bytes = v;
    return 0;

out_of_range:
    return opt_fail(p, "size '%s' is out of range (2 MiB..1 TiB)", show(shown, s, len));
}

_Static_assert(BAREMU_MIN_RAM == 2 * CMDLINE_MIB && BAREMU_MAX_RAM == CMDLINE_TIB,
               "the -m range message names 2 MiB..1 TiB");

/* ---- key=value lists ----------------------------------------------------- */

/* one item of "key=value,key=value"; key is NULL where there is no '=' */
struct kv {
    char *item, *key, *val;
    size_t item_len, key_len, val_len;
};

/* the item starting at s + pos; returns where it ends (a single ',' or the NUL) */
static size_t kv_next(char *s, size_t pos, struct kv *kv)
{
    size_t end = pos;
    while (s[end] != '\0' && !(s[end] == ',' && s[end + 1] != ',')) {
        end += s[end] == ',' ? 2 : 1; /* ",," is a comma */
    }
    kv->item = s + pos;
    kv->item_len = end - pos;
    char *eq = memchr(kv->item, '=', kv->item_len);
    if (eq == NULL) {
        kv->key = NULL, kv->key_len = 0;
        kv->val = kv->item, kv->val_len = kv->item_len;
    } else {
        kv->key = kv->item, kv->key_len = (size_t)(eq - kv->item);
        kv->val = eq + 1, kv->val_len = kv->item_len - kv->key_len - 1;
    }
    return end;
}

static bool kv_is(const struct kv *kv, const char *key)
{
    return kv->key != NULL && kv->key_len == strlen(key) && memcmp(kv->key, key, kv->key_len) == 0;
}

static bool span_is(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(s, word, len) == 0;
}

/*
 * The value of "-opt [implied=]V[,implied=V]...": the last one, as QEMU's
 * qemu_opt_get() takes the last. Any other key is refused.
 */
static int implied_value(struct parse_ctx *p, char *arg, const char *key, const char *only,
                         struct kv *out)
{
    char shown[SHOWN_MAX + 4];
    struct kv kv;
    size_t pos = 0;
    for (bool first = true;; first = false) {
        size_t end = kv_next(arg, pos, &kv);
        if (kv.item_len == 0)
            return opt_fail(p, "'%s' has an empty parameter", show(shown, arg, strlen(arg)));
        if (!(kv_is(&kv, key) || (first && kv.key == NULL)))
            return opt_fail(p, "'%s' is not supported (only %s)", show(shown, kv.item, kv.item_len),
                            only);
        *out = kv;
        if (arg[end] == '\0')
            return 0;
        pos = end + 1;
    }
}

/* ---- the options --------------------------------------------------------- */

static int parse_smp(struct parse_ctx *p, char *arg)
{
    char shown[SHOWN_MAX + 4];
    struct kv kv;
    if (implied_value(p, arg, "cpus", "N or cpus=N", &kv) != 0)
        return -1;
    p->cfg->smp_all = kv.val_len == 3 && memcmp(kv.val, "all", 3) == 0;
    if (p->cfg->smp_all) /* the host's cores, once it knows them (cmdline_resolve_smp) */
        return 0;
    uint64_t n = 0;
    switch (parse_u64(kv.val, kv.val_len, &n)) {
    case NUM_BAD:
        return opt_fail(p, "'%s' is not a number", show(shown, kv.val, kv.val_len));
    case NUM_RANGE:
        n = UINT64_MAX;
        break;
    case NUM_OK:
        break;
    }
    if (n < 1 || n > BAREMU_MAX_VCPUS)
        return opt_fail(p, "%s vCPUs is out of range (1..%u)", show(shown, kv.val, kv.val_len),
                        BAREMU_MAX_VCPUS);
    p->cfg->smp = (unsigned)n;
    return 0;
}

static int parse_mem(struct parse_ctx *p, char *arg)
{
    struct kv kv;
    if (implied_value(p, arg, "size", "SIZE or size=SIZE", &kv) != 0)
        return -1;
    return parse_size(p, kv.val, kv.val_len, &p->cfg->ram_bytes);
}

static int parse_file(struct parse_ctx *p, char *arg, const char **out)
{
    if (arg[0] == '\0')
        return opt_fail(p, "empty file name");
    *out = arg;
    return 0;
}

static int parse_kernel(struct parse_ctx *p, char *arg)
{
    return parse_file(p, arg, &p->cfg->kernel);
}

static int parse_bios(struct parse_ctx *p, char *arg)
{
    return parse_file(p, arg, &p->cfg->bios);
}

/* QEMU's chardev spellings that make sense here: stdio, file:PATH */
static int parse_debugcon(struct parse_ctx *p, char *arg)
{
    if (strcmp(arg, "stdio") == 0) {
        p->cfg->debugcon = arg;
        return 0;
    }
    if (strncmp(arg, "file:", 5) == 0 && arg[5] != '\0') {
        p->cfg->debugcon = arg + 5;
        return 0;
    }
    return opt_fail(p, "expected stdio or file:PATH");
}

static int parse_dump_tables(struct parse_ctx *p, char *arg)
{
    if (arg[0] == '\0')
        return opt_fail(p, "empty directory name");
    p->cfg->dump_tables = arg;
    return 0;
}

static int parse_initrd(struct parse_ctx *p, char *arg)
{
    return parse_file(p, arg, &p->cfg->initrd);
}

static int parse_append(struct parse_ctx *p, char *arg)
{
    p->cfg->append = arg;
    return 0;
}

/* undo ",," in place and end the value with a NUL */
static char *kv_unescape(struct kv *kv)
{
    size_t w = 0;
    for (size_t r = 0; r < kv->val_len; r++, w++) {
        kv->val[w] = kv->val[r];
        if (kv->val[r] == ',')
            r++;
    }
    kv->val[w] = '\0';
    return kv->val;
}

/* -drive file=F[,format=raw][,if=virtio]: one raw disk on virtio-mmio */
static int parse_drive(struct parse_ctx *p, char *arg)
{
    char shown[SHOWN_MAX + 4];
    struct kv kv, file = {0};
    size_t pos = 0;
    for (;;) {
        size_t end = kv_next(arg, pos, &kv);
        if (kv.item_len == 0)
            return opt_fail(p, "'%s' has an empty parameter", show(shown, arg, strlen(arg)));
        if (kv.key == NULL)
            return opt_fail(p, "'%s' is not key=value (use file=FILE)",
                            show(shown, kv.item, kv.item_len));
        if (kv_is(&kv, "file"))
            file = kv;
        else if (kv_is(&kv, "format") && !span_is(kv.val, kv.val_len, "raw"))
            return opt_fail(p, "format '%s' is not supported (only raw)",
                            show(shown, kv.val, kv.val_len));
        else if (kv_is(&kv, "if") && !span_is(kv.val, kv.val_len, "virtio"))
            return opt_fail(p, "interface '%s' is not supported (only virtio)",
                            show(shown, kv.val, kv.val_len));
        else if (!kv_is(&kv, "format") && !kv_is(&kv, "if"))
            return opt_fail(p, "unknown parameter '%s' (only file, format, if)",
                            show(shown, kv.key, kv.key_len));
        if (arg[end] == '\0')
            break;
        pos = end + 1;
    }
    if (file.key == NULL)
        return opt_fail(p, "missing file=FILE in '%s'", show(shown, arg, strlen(arg)));
    if (file.val_len == 0)
        return opt_fail(p, "empty file name");
    p->cfg->drive = kv_unescape(&file);
    return 0;
}

static int parse_serial(struct parse_ctx *p, char *arg)
{
    char shown[SHOWN_MAX + 4];
    if (strcmp(arg, "stdio") == 0)
        p->cfg->serial_stdio = true;
    else if (strcmp(arg, "none") == 0)
        p->cfg->serial_stdio = false;
    else
        return opt_fail(p, "'%s' is not supported (only stdio or none)",
                        show(shown, arg, strlen(arg)));
    return 0;
}

static int parse_exit(struct parse_ctx *p, char *arg)
{
    (void)arg;
    p->cfg->exit_when_done = true;
    return 0;
}

static int parse_hostbench(struct parse_ctx *p, char *arg)
{
    (void)arg;
    p->cfg->hostbench = true;
    return 0;
}

static int parse_fault_test(struct parse_ctx *p, char *arg)
{
    static const char *const names[] = {[CMDLINE_FAULT_UD] = "ud",
                                        [CMDLINE_FAULT_PF] = "pf",
                                        [CMDLINE_FAULT_DE] = "de",
                                        [CMDLINE_FAULT_AP_UD] = "ap-ud",
                                        [CMDLINE_FAULT_STACK] = "stack"};
    char shown[SHOWN_MAX + 4];
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i] && strcmp(arg, names[i]) == 0) {
            p->cfg->fault_test = (enum cmdline_fault)i;
            return 0;
        }
    return opt_fail(p, "'%s' is not a fault to provoke (only ud, pf, de, ap-ud or stack)",
                    show(shown, arg, strlen(arg)));
}

static int parse_stats(struct parse_ctx *p, char *arg)
{
    (void)arg;
    p->cfg->stats = true;
    return 0;
}

/* -d ITEM[,ITEM]...: the names of emu/debug.h's debug_items[]; repeated -d options add up */
static int parse_debug(struct parse_ctx *p, char *arg)
{
    char shown[SHOWN_MAX + 4];
    unsigned flags = 0;
    for (char *item = arg;;) {
        size_t len = strcspn(item, ",");
        unsigned k = 0;
        while (k < debug_nitems && !span_is(item, len, debug_items[k].name))
            k++;
        if (k == debug_nitems) {
            char names[SHOWN_MAX * 2] = "";
            for (unsigned j = 0; j < debug_nitems; j++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? ", " : "",
                         debug_items[j].name);
            return opt_fail(p, "'%s' is not a log item (only %s)", show(shown, item, len), names);
        }
        flags |= debug_items[k].flag;
        if (item[len] == '\0')
            break;
        item += len + 1;
    }
    p->cfg->debug |= flags;
    return 0;
}

/* a count in lo..hi: the option's message names the bad value (and its unit) */
static int parse_count(struct parse_ctx *p, const char *s, size_t len, uint64_t lo, uint64_t hi,
                       const char *unit, uint64_t *out)
{
    char shown[SHOWN_MAX + 4];
    uint64_t n = 0;
    switch (parse_u64(s, len, &n)) {
    case NUM_BAD:
        return opt_fail(p, "'%s' is not a number", show(shown, s, len));
    case NUM_RANGE:
        n = UINT64_MAX;
        break;
    case NUM_OK:
        break;
    }
    if (n < lo || n > hi)
        return opt_fail(p, "%s%s is out of range (%llu..%llu)", show(shown, s, len), unit,
                        (unsigned long long)lo, (unsigned long long)hi);
    *out = n;
    return 0;
}

static int parse_rip_history(struct parse_ctx *p, char *arg)
{
    uint64_t n = 0;
    if (parse_count(p, arg, strlen(arg), 1, DEBUG_RIPS_MAX, " entries", &n) < 0)
        return -1;
    p->cfg->rip_history = (unsigned)n;
    return 0;
}

static int parse_io_core(struct parse_ctx *p, char *arg)
{
    (void)arg;
    p->cfg->io_core = true;
    return 0;
}

static int parse_deterministic(struct parse_ctx *p, char *arg)
{
    (void)arg;
    p->cfg->deterministic = true;
    return 0;
}

static int parse_quantum(struct parse_ctx *p, char *arg)
{
    uint64_t n = 0;
    if (parse_count(p, arg, strlen(arg), 1, CMDLINE_QUANTUM_MAX, "", &n) < 0)
        return -1;
    p->cfg->quantum = (unsigned)n;
    return 0;
}

/* -hash-at N[,N]...: strictly increasing instruction counts */
static int parse_hash_at(struct parse_ctx *p, char *arg)
{
    char shown[SHOWN_MAX + 4];
    unsigned k = 0;
    for (char *item = arg;;) {
        size_t len = strcspn(item, ",");
        uint64_t n = 0;
        if (k == CMDLINE_HASH_AT_MAX)
            return opt_fail(p, "more than %u counts", CMDLINE_HASH_AT_MAX);
        if (parse_count(p, item, len, 1, UINT64_MAX - 1, "", &n) < 0)
            return -1;
        if (k && n <= p->cfg->hash_at[k - 1])
            return opt_fail(p, "%s is not above the count before it", show(shown, item, len));
        p->cfg->hash_at[k++] = n;
        if (item[len] == '\0')
            break;
        item += len + 1;
    }
    p->cfg->nhash_at = k;
    return 0;
}

static int parse_help(struct parse_ctx *p, char *arg)
{
    (void)arg;
    p->cfg->help = true;
    return 1;
}

#define BOTH (CMDLINE_HOSTED | CMDLINE_BAREMETAL)

static const struct cmdline_option options[] = {
    {"smp", NULL, "N", BOTH, false, parse_smp,
     "vCPUs, 1.." STR(BAREMU_MAX_VCPUS) " or all (cpus=N too); default 1"},
    {"m", NULL, "SIZE", BOTH, false, parse_mem,
     "RAM, 2M..1T; suffix K, M, G, T (none: MiB); default 128M"},
    {"kernel", NULL, "FILE", BOTH, false, parse_kernel, "guest kernel"},
    {"initrd", NULL, "FILE", BOTH, false, parse_initrd, "initial ramdisk for the guest kernel"},
    {"append", NULL, "STRING", BOTH, false, parse_append, "guest kernel command line"},
    {"bios", NULL, "FILE", CMDLINE_HOSTED, false, parse_bios,
     "a ROM image (e.g. SeaBIOS) at the top of 4 GiB; the BSP starts at F000:FFF0"},
    {"debugcon", NULL, "stdio|file:PATH", CMDLINE_HOSTED, false, parse_debugcon,
     "port 0x402 (QEMU's isa-debugcon, where SeaBIOS logs) to stdout or a file"},
    {"drive", NULL, "file=FILE[,format=raw][,if=virtio]", BOTH, true, parse_drive,
     "raw disk image on a virtio-mmio block device (one)"},
    {"serial", NULL, "stdio|none", BOTH, false, parse_serial,
     "guest UART on the host console or nowhere; default stdio"},
    {"exit", NULL, NULL, CMDLINE_BAREMETAL, false, parse_exit,
     "when done, end QEMU through isa-debug-exit"},
    {"hostbench", NULL, NULL, CMDLINE_BAREMETAL, false, parse_hostbench,
     "benchmark the host instead of running a guest"},
    {"fault-test", NULL, "ud|pf|de|ap-ud|stack", CMDLINE_BAREMETAL, false, parse_fault_test,
     "provoke a host exception to test the fault dump"},
    {"stats", NULL, NULL, BOTH, false, parse_stats,
     "at the end, print each vCPU's retired instruction count"},
    {"d", NULL, "ITEM[,ITEM]...", BOTH, false, parse_debug,
     "log these (below) to stderr, or the kernel's log"},
    {"rip-history", NULL, "N", BOTH, false, parse_rip_history,
     "keep each vCPU's last N RIPs, shown on a triple fault"},
    {"io-core", NULL, NULL, BOTH, false, parse_io_core,
     "core 0 runs the devices and console; vCPU i core i+1"},
    {"deterministic", NULL, NULL, BOTH, false, parse_deterministic,
     "vCPUs take turns on one thread, time in instructions"},
    {"quantum", NULL, "N", BOTH, false, parse_quantum,
     "instructions per turn, 1..10^8; default " STR(CMDLINE_QUANTUM_DEFAULT)},
    {"hash-at", NULL, "N[,N]...", BOTH, false, parse_hash_at,
     "log the state hash after N instructions in all"},
    {"dump-tables", NULL, "DIR", CMDLINE_HOSTED, false, parse_dump_tables,
     "write the firmware tables the guest would get into DIR and exit"},
    {"h", "help", NULL, BOTH, false, parse_help, "print this help"},
};

#define NOPTIONS (sizeof options / sizeof options[0])
_Static_assert(NOPTIONS <= 32, "the seen mask in cmdline_parse() is 32 bits");

static const struct cmdline_option *option_find(const char *name)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strcmp(name, options[i].name) == 0 ||
            (options[i].alias != NULL && strcmp(name, options[i].alias) == 0))
            return &options[i];
    return NULL;
}

/* ---- the interface ------------------------------------------------------- */

void cmdline_defaults(struct baremu_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->smp = 1;
    cfg->ram_bytes = BAREMU_DEFAULT_RAM;
    cfg->serial_stdio = true;
    cfg->quantum = CMDLINE_QUANTUM_DEFAULT;
}

int cmdline_parse(struct baremu_config *cfg, int argc, char *const argv[], unsigned host, char *err,
                  size_t errlen)
{
    char shown[SHOWN_MAX + 4];
    uint32_t seen = 0;
    if (host != CMDLINE_HOSTED && host != CMDLINE_BAREMETAL)
        return fail(err, errlen, "internal error: bad host %#x", host);
    for (int i = 0; i < argc && argv[i] != NULL; i++) {
        const char *word = argv[i];
        const char *name = word + 1;
        if (word[0] != '-' || word[1] == '\0')
            return fail(err, errlen, "unexpected argument '%s' (options start with '-')",
                        show(shown, word, strlen(word)));
        if (name[0] == '-' && name[1] != '\0') /* --opt is -opt, as in QEMU */
            name++;
        const struct cmdline_option *opt = option_find(name);
        if (opt == NULL)
            return fail(err, errlen, "unknown option '%s'", show(shown, word, strlen(word)));

        char dashed[SHOWN_MAX + 2] = "-";
        strncat(dashed, opt->name, SHOWN_MAX);
        struct parse_ctx p = {cfg, dashed, err, errlen};
        if (!(opt->hosts & host))
            return opt_fail(&p, "only available in %s", host_name(opt->hosts));
        uint32_t bit = UINT32_C(1) << (opt - options);
        if (opt->once && (seen & bit))
            return opt_fail(&p, "given twice (only one is supported)");
        seen |= bit;

        char *arg = NULL;
        if (opt->arg != NULL) {
            if (i + 1 >= argc || argv[i + 1] == NULL)
                return opt_fail(&p, "missing argument");
            arg = argv[++i];
        }
        int r = opt->parse(&p, arg);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    if (cfg->io_core && cfg->deterministic)
        return fail(err, errlen, "-io-core: not with -deterministic, whose one thread does it all");
    /* the deterministic mode's knobs mean nothing without it */
    static const char *const det_only[] = {"quantum", "hash-at"};
    for (size_t k = 0; k < sizeof det_only / sizeof det_only[0]; k++)
        if (!cfg->deterministic && (seen & (UINT32_C(1) << (option_find(det_only[k]) - options))))
            return fail(err, errlen, "-%s: needs -deterministic", det_only[k]);
    return 0;
}

void cmdline_resolve_smp(struct baremu_config *cfg, unsigned cores)
{
    if (!cfg->smp_all)
        return;
    unsigned n = cfg->io_core && cores > 1 ? cores - 1 : cores;
    cfg->smp = n < 1 ? 1 : n > BAREMU_MAX_VCPUS ? BAREMU_MAX_VCPUS : n;
    cfg->smp_all = false;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_split(char *line, char *argv[], int max_args, char *err, size_t errlen)
{
    char *r = line, *w = line; /* read and write heads; w never passes r */
    int argc = 0;
    for (;;) {
        while (is_blank(*r))
            r++;
        if (*r == '\0')
            return argc;
        if (argc >= max_args)
            return fail(err, errlen, "too many arguments (max %d)", max_args < 0 ? 0 : max_args);
        argv[argc++] = w;
        char quote = 0;
        while (*r != '\0' && (quote != 0 || !is_blank(*r))) {
            char c = *r++;
            if (quote == '\'') {
                if (c == '\'')
                    quote = 0;
                else
                    *w++ = c;
            } else if (c == '\\') {
                if (*r == '\0')
                    return fail(err, errlen, "backslash at end of line");
                *w++ = *r++;
            } else if (quote == '"' && c == '"') {
                quote = 0;
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else {
                *w++ = c;
            }
        }
        if (quote != 0)
            return fail(err, errlen, "unterminated quote");
        bool end = *r == '\0';
        *w++ = '\0';
        if (!end)
            r++;
    }
}

/* append to buf with snprintf semantics; *at counts the whole text */
__attribute__((format(printf, 4, 5))) static void put(char *buf, size_t len, size_t *at,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*at < len ? buf + *at : NULL, *at < len ? len - *at : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at += (size_t)n;
}

size_t cmdline_usage(char *buf, size_t len, unsigned host)
{
    size_t at = 0;
    if (len > 0)
        buf[0] = '\0';
    if (host == CMDLINE_BAREMETAL)
        put(buf, len, &at, "usage: baremu.elf [options]   (the Multiboot2 command line)\n");
    else
        put(buf, len, &at, "usage: baremu [options] -kernel FILE | -bios FILE\n");
    put(buf, len, &at, "options (QEMU syntax):\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct cmdline_option *o = &options[i];
        if (!(o->hosts & host))
            continue;
        char left[80];
        snprintf(left, sizeof left, "-%s%s%s%s%s", o->name, o->alias ? ", -" : "",
                 o->alias ? o->alias : "", o->arg ? " " : "", o->arg ? o->arg : "");
        if (strlen(left) + 2 < USAGE_COLUMN)
            put(buf, len, &at, "  %-*s%s\n", USAGE_COLUMN - 2, left, o->help);
        else
            put(buf, len, &at, "  %s\n  %-*s%s\n", left, USAGE_COLUMN - 2, "", o->help);
    }
    put(buf, len, &at, "log items for -d:\n");
    for (unsigned k = 0; k < debug_nitems; k++)
        put(buf, len, &at, "  %-*s%s\n", USAGE_COLUMN - 2, debug_items[k].name,
            debug_items[k].help);
    return at;
}

/* v in decimal, without leaning on the libc printf having %llu */
static const char *u64_str(char out[U64_DIGITS + 1], uint64_t v)
{
    char *p = out + U64_DIGITS;
    *p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    return p;
}

/* bytes in the largest binary unit that divides them */
static void put_size(char *buf, size_t len, size_t *at, uint64_t bytes)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    char digits[U64_DIGITS + 1];
    unsigned u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && bytes != 0 && bytes % CMDLINE_KIB == 0)
        bytes /= CMDLINE_KIB, u++;
    put(buf, len, at, "%s %s", u64_str(digits, bytes), units[u]);
}

size_t cmdline_describe(char *buf, size_t len, const struct baremu_config *cfg)
{
    size_t at = 0;
    if (len > 0)
        buf[0] = '\0';
    put(buf, len, &at, "%u vCPU%s, ", cfg->smp, cfg->smp == 1 ? "" : "s");
    put_size(buf, len, &at, cfg->ram_bytes);
    put(buf, len, &at, " RAM");
    if (cfg->kernel != NULL)
        put(buf, len, &at, ", kernel %s", cfg->kernel);
    if (cfg->initrd != NULL)
        put(buf, len, &at, ", initrd %s", cfg->initrd);
    if (cfg->bios != NULL)
        put(buf, len, &at, ", bios %s", cfg->bios);
    if (cfg->drive != NULL)
        put(buf, len, &at, ", drive %s (raw, virtio)", cfg->drive);
    if (cfg->append != NULL)
        put(buf, len, &at, ", append '%s'", cfg->append);
    put(buf, len, &at, ", serial %s", cfg->serial_stdio ? "stdio" : "none");
    if (cfg->exit_when_done)
        put(buf, len, &at, ", exit when done");
    if (cfg->hostbench)
        put(buf, len, &at, ", hostbench");
    return at;
}
