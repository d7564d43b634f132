/*
 * test_cmdline.c: the QEMU-style command line (emu/cmdline.h).
 */
#include "emu/cmdline.h"
#include "emu/debug.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#define MIB      CMDLINE_MIB
#define GIB      CMDLINE_GIB
#define MAX_ARGS 32

/*
 * Parameterized tests take an index into a static table: Criterion runs each
 * test in a new process, where the table's pointers need not be valid when
 * handed over as parameters, but the table itself is the same.
 */
static void free_params(struct criterion_test_params *params)
{
    cr_free(params->params);
}

static struct criterion_test_params index_params(size_t n)
{
    size_t *index = cr_malloc(n * sizeof *index);
    for (size_t i = 0; i < n; i++)
        index[i] = i;
    return cr_make_param_array(size_t, index, n, free_params);
}

#define TABLE_PARAMS(table) index_params(sizeof(table) / sizeof((table)[0]))

/* a parse of a copy of args (the parser may write into the strings) */
struct run {
    struct baremu_config cfg;
    char err[256];
    char store[4096];
    char *argv[MAX_ARGS + 1];
    int argc;
};

static int run_parse(struct run *r, unsigned host, const char *const *args)
{
    size_t at = 0;
    for (r->argc = 0; args[r->argc] != NULL; r->argc++) {
        size_t n = strlen(args[r->argc]) + 1;
        cr_assert(r->argc < MAX_ARGS && at + n <= sizeof r->store);
        r->argv[r->argc] = memcpy(r->store + at, args[r->argc], n);
        at += n;
    }
    r->argv[r->argc] = NULL;
    cmdline_defaults(&r->cfg);
    memset(r->err, 0, sizeof r->err);
    return cmdline_parse(&r->cfg, r->argc, r->argv, host, r->err, sizeof r->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define PARSE_OK(r, host, ...)                                                                     \
    cr_assert_eq(run_parse((r), (host), ARGS(__VA_ARGS__)), 0, "error: %s", (r)->err)
#define HOSTED CMDLINE_HOSTED
#define BARE   CMDLINE_BAREMETAL

/* ---- defaults and the simple options -------------------------------------- */

Test(cmdline_parse, defaults)
{
    struct baremu_config cfg;
    memset(&cfg, 0xa5, sizeof cfg);
    cmdline_defaults(&cfg);
    cr_assert_eq(cfg.smp, 1);
    cr_assert_eq(cfg.ram_bytes, 128 * MIB);
    cr_assert_null(cfg.kernel);
    cr_assert_null(cfg.initrd);
    cr_assert_null(cfg.append);
    cr_assert_null(cfg.drive);
    cr_assert(cfg.serial_stdio);
    cr_assert_not(cfg.help);
    cr_assert_not(cfg.exit_when_done);
    cr_assert_not(cfg.hostbench);
}

Test(cmdline_parse, empty_command_line_keeps_defaults)
{
    struct baremu_config cfg, want;
    char err[64] = "untouched";
    cmdline_defaults(&cfg);
    cmdline_defaults(&want);
    cr_assert_eq(cmdline_parse(&cfg, 0, NULL, CMDLINE_HOSTED, err, sizeof err), 0);
    cr_assert_eq(memcmp(&cfg, &want, sizeof cfg), 0);
    cr_assert_str_eq(err, "untouched");
}

Test(cmdline_parse, every_option_together)
{
    struct run r;
    PARSE_OK(&r, BARE, "-smp", "4", "-m", "512M", "-kernel", "vmlinuz", "-initrd", "initrd.img",
             "-append", "console=ttyS0 quiet", "-drive", "file=disk.img,format=raw,if=virtio",
             "-serial", "none", "-exit", "-hostbench");
    cr_assert_eq(r.cfg.smp, 4);
    cr_assert_eq(r.cfg.ram_bytes, 512 * MIB);
    cr_assert_str_eq(r.cfg.kernel, "vmlinuz");
    cr_assert_str_eq(r.cfg.initrd, "initrd.img");
    cr_assert_str_eq(r.cfg.append, "console=ttyS0 quiet");
    cr_assert_str_eq(r.cfg.drive, "disk.img");
    cr_assert_not(r.cfg.serial_stdio);
    cr_assert(r.cfg.exit_when_done);
    cr_assert(r.cfg.hostbench);
    cr_assert_not(r.cfg.help);
}

Test(cmdline_parse, strings_point_into_argv)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-kernel", "k", "-initrd", "i", "-append", "a");
    cr_assert_eq(r.cfg.kernel, r.argv[1]);
    cr_assert_eq(r.cfg.initrd, r.argv[3]);
    cr_assert_eq(r.cfg.append, r.argv[5]);
}

Test(cmdline_parse, empty_append_is_allowed)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-append", "");
    cr_assert_str_eq(r.cfg.append, "");
}

Test(cmdline_parse, option_argument_may_start_with_a_dash)
{
    struct run r; /* as in QEMU: the word after -kernel is its argument, whatever it is */
    PARSE_OK(&r, HOSTED, "-kernel", "-smp");
    cr_assert_str_eq(r.cfg.kernel, "-smp");
    cr_assert_eq(r.cfg.smp, 1);
}

Test(cmdline_parse, double_dash_is_single_dash)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "--smp", "2", "--m", "1G", "--kernel", "k", "--serial", "none");
    cr_assert_eq(r.cfg.smp, 2);
    cr_assert_eq(r.cfg.ram_bytes, GIB);
    cr_assert_str_eq(r.cfg.kernel, "k");
    cr_assert_not(r.cfg.serial_stdio);
}

Test(cmdline_parse, repeated_options_last_wins)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-smp", "2", "-smp", "3", "-m", "64", "-m", "256", "-kernel", "a",
             "-kernel", "b", "-initrd", "c", "-initrd", "d", "-append", "e", "-append", "f",
             "-serial", "none", "-serial", "stdio");
    cr_assert_eq(r.cfg.smp, 3);
    cr_assert_eq(r.cfg.ram_bytes, 256 * MIB);
    cr_assert_str_eq(r.cfg.kernel, "b");
    cr_assert_str_eq(r.cfg.initrd, "d");
    cr_assert_str_eq(r.cfg.append, "f");
    cr_assert(r.cfg.serial_stdio);
}

Test(cmdline_parse, argc_bounds_the_words)
{
    struct run r;
    run_parse(&r, HOSTED, ARGS("-smp", "2", "-foo"));
    cr_assert_eq(cmdline_parse(&r.cfg, 2, r.argv, CMDLINE_HOSTED, r.err, sizeof r.err), 0);
    cr_assert_eq(r.cfg.smp, 2);
    cr_assert_eq(cmdline_parse(&r.cfg, 1, r.argv, CMDLINE_HOSTED, r.err, sizeof r.err), -1);
    cr_assert_str_eq(r.err, "-smp: missing argument");
}

/* ---- -smp ---------------------------------------------------------------- */

struct smp_case {
    const char *arg;
    unsigned want;
};

static struct smp_case smp_cases[] = {
    {"1", 1},        {"4", 4},
    {"1024", 1024},  {"0004", 4},
    {"cpus=8", 8},   {"cpus=1024", 1024},
    {"4,cpus=6", 6}, {"cpus=2,cpus=3", 3},
};

ParameterizedTestParameters(cmdline_smp, accepted)
{
    return TABLE_PARAMS(smp_cases);
}

ParameterizedTest(size_t *i, cmdline_smp, accepted)
{
    const struct smp_case *c = &smp_cases[*i];
    struct run r;
    PARSE_OK(&r, HOSTED, "-smp", c->arg);
    cr_assert_eq(r.cfg.smp, c->want, "-smp %s: got %u, want %u", c->arg, r.cfg.smp, c->want);
}

/* ---- -m ------------------------------------------------------------------ */

struct size_case {
    const char *arg;
    uint64_t want;
};

static struct size_case size_cases[] = {
    {"512", 512 * MIB},
    {"2", 2 * MIB},
    {"512M", 512 * MIB},
    {"512m", 512 * MIB},
    {"1G", GIB},
    {"1g", GIB},
    {"2048K", 2 * MIB},
    {"2048k", 2 * MIB},
    {"2097152B", 2 * MIB},
    {"2097152b", 2 * MIB},
    {"1T", CMDLINE_TIB},
    {"1t", CMDLINE_TIB},
    {"1024G", CMDLINE_TIB},
    {"1099511627776B", CMDLINE_TIB},
    {"size=256M", 256 * MIB},
    {"size=4096", 4 * GIB},
    {"64,size=128", 128 * MIB},
    {"1.5G", 1536 * MIB},
    {"0.5G", 512 * MIB},
    {"2.5", 2 * MIB + 512 * 1024},
    {"2049K", 2056 * 1024}, /* rounded up to 8 KiB, as QEMU does */
    {"2097151B", 2 * MIB},  /* rounded up to the minimum */
    {"3000000b", 3006464},  /* 367 * 8 KiB */
    {"1.0000000009G", GIB}, /* the tenth digit of a fraction does not count */
    {"0.0009765625T", GIB}, /* 2^-10 TiB, truncated to 9 digits, rounded up */
    {"00000000000000000000000000064M", 64 * MIB},
};

ParameterizedTestParameters(cmdline_m, accepted)
{
    return TABLE_PARAMS(size_cases);
}

ParameterizedTest(size_t *i, cmdline_m, accepted)
{
    const struct size_case *c = &size_cases[*i];
    struct run r;
    PARSE_OK(&r, HOSTED, "-m", c->arg);
    cr_assert_eq(r.cfg.ram_bytes, c->want, "-m %s: got %llu, want %llu", c->arg,
                 (unsigned long long)r.cfg.ram_bytes, (unsigned long long)c->want);
    cr_assert_eq(r.cfg.ram_bytes % BAREMU_RAM_ALIGN, 0);
}

Test(cmdline_m, plain_numbers_are_mib)
{
    struct run r;
    for (unsigned mib = 2; mib <= 4096; mib *= 2) {
        char arg[16];
        snprintf(arg, sizeof arg, "%u", mib);
        PARSE_OK(&r, HOSTED, "-m", arg);
        cr_assert_eq(r.cfg.ram_bytes, (uint64_t)mib * MIB);
    }
}

/* ---- -drive -------------------------------------------------------------- */

struct drive_case {
    const char *arg;
    const char *want;
};

static struct drive_case drive_cases[] = {
    {"file=disk.img", "disk.img"},
    {"file=disk.img,format=raw", "disk.img"},
    {"file=disk.img,if=virtio", "disk.img"},
    {"format=raw,if=virtio,file=/a/b c.img", "/a/b c.img"},
    {"file=a,,b", "a,b"},
    {"file=a,,,format=raw", "a,"},
    {"file=,,,,", ",,"},
    {"file=x=y", "x=y"},
    {"file=old,file=new", "new"},
};

ParameterizedTestParameters(cmdline_drive, accepted)
{
    return TABLE_PARAMS(drive_cases);
}

ParameterizedTest(size_t *i, cmdline_drive, accepted)
{
    const struct drive_case *c = &drive_cases[*i];
    struct run r;
    PARSE_OK(&r, HOSTED, "-drive", c->arg);
    cr_assert_str_eq(r.cfg.drive, c->want, "-drive %s: got '%s', want '%s'", c->arg, r.cfg.drive,
                     c->want);
}

Test(cmdline_drive, argv_untouched_on_error)
{
    struct run r;
    cr_assert_eq(run_parse(&r, HOSTED, ARGS("-drive", "file=a,,b,format=qcow2")), -1);
    cr_assert_str_eq(r.argv[1], "file=a,,b,format=qcow2");
    cr_assert_null(r.cfg.drive);
}

/* ---- -serial, host-only options, help ------------------------------------ */

Test(cmdline_parse, serial)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-serial", "none");
    cr_assert_not(r.cfg.serial_stdio);
    PARSE_OK(&r, HOSTED, "-serial", "stdio");
    cr_assert(r.cfg.serial_stdio);
}

Test(cmdline_parse, baremetal_only_options_in_baremetal)
{
    struct run r;
    PARSE_OK(&r, BARE, "-exit");
    cr_assert(r.cfg.exit_when_done);
    cr_assert_not(r.cfg.hostbench);
    PARSE_OK(&r, BARE, "-hostbench");
    cr_assert(r.cfg.hostbench);
    cr_assert_not(r.cfg.exit_when_done);
}

Test(cmdline_parse, dump_tables_in_the_hosted_program)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-smp", "300", "-dump-tables", "out/tables");
    cr_assert_str_eq(r.cfg.dump_tables, "out/tables");
    cr_assert_eq(r.cfg.dump_tables, r.argv[3], "points into argv");
    cr_assert_eq(r.cfg.smp, 300);
    cr_assert_null(r.cfg.kernel, "no -kernel needed");
    PARSE_OK(&r, HOSTED, "--dump-tables", "a", "-dump-tables", "b");
    cr_assert_str_eq(r.cfg.dump_tables, "b", "the last one wins");
    PARSE_OK(&r, HOSTED, "-smp", "2");
    cr_assert_null(r.cfg.dump_tables, "not by default");
}

Test(cmdline_parse, debug_items_add_up_and_rip_history)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-smp", "2");
    cr_assert_eq(r.cfg.debug, 0, "nothing logged by default");
    cr_assert_eq(r.cfg.rip_history, 0);
    PARSE_OK(&r, BARE, "-d", "int,guest_errors", "-d", "cpu_reset", "-rip-history", "64");
    cr_assert_eq(r.cfg.debug, DEBUG_INT | DEBUG_GUEST_ERRORS | DEBUG_CPU_RESET);
    cr_assert_eq(r.cfg.rip_history, 64);
    PARSE_OK(&r, HOSTED, "-rip-history", "1048576");
    cr_assert_eq(r.cfg.rip_history, DEBUG_RIPS_MAX);
}

Test(cmdline_parse, deterministic_quantum_and_hash_points)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-smp", "2");
    cr_assert(!r.cfg.deterministic, "off by default");
    cr_assert_eq(r.cfg.quantum, CMDLINE_QUANTUM_DEFAULT);
    cr_assert_eq(r.cfg.nhash_at, 0);
    PARSE_OK(&r, BARE, "-deterministic", "-quantum", "1", "-hash-at", "5,6,18446744073709551614");
    cr_assert(r.cfg.deterministic);
    cr_assert_eq(r.cfg.quantum, 1);
    cr_assert_eq(r.cfg.nhash_at, 3);
    cr_assert_eq(r.cfg.hash_at[0], 5);
    cr_assert_eq(r.cfg.hash_at[1], 6);
    cr_assert_eq(r.cfg.hash_at[2], UINT64_MAX - 1);
    PARSE_OK(&r, HOSTED, "-hash-at", "7", "-quantum", "100000000", "-deterministic");
    cr_assert_eq(r.cfg.quantum, CMDLINE_QUANTUM_MAX, "the knobs may come before -deterministic");
    cr_assert_eq(r.cfg.nhash_at, 1);
}

Test(cmdline_parse, smp_all_is_every_core)
{
    struct run r;
    PARSE_OK(&r, BARE, "-smp", "all");
    cr_assert(r.cfg.smp_all);
    cmdline_resolve_smp(&r.cfg, 8);
    cr_assert_eq(r.cfg.smp, 8);
    cr_assert(!r.cfg.smp_all, "resolved once");
    cmdline_resolve_smp(&r.cfg, 4);
    cr_assert_eq(r.cfg.smp, 8, "a number stays as it is");
    PARSE_OK(&r, HOSTED, "-smp", "cpus=all", "-io-core");
    cmdline_resolve_smp(&r.cfg, 8);
    cr_assert_eq(r.cfg.smp, 7, "-io-core keeps core 0");
    PARSE_OK(&r, HOSTED, "-smp", "all");
    cmdline_resolve_smp(&r.cfg, 5000);
    cr_assert_eq(r.cfg.smp, BAREMU_MAX_VCPUS);
    PARSE_OK(&r, HOSTED, "-smp", "all", "-smp", "3");
    cmdline_resolve_smp(&r.cfg, 8);
    cr_assert_eq(r.cfg.smp, 3, "the last -smp wins");
}

Test(cmdline_parse, deterministic_knobs_refused)
{
    static const char *const cases[][4] = {
        {"-quantum", "100", NULL, "-quantum: needs -deterministic"},
        {"-hash-at", "100", NULL, "-hash-at: needs -deterministic"},
        {"-quantum", "100000001", "-deterministic",
         "-quantum: 100000001 is out of range (1..100000000)"},
        {"-hash-at", "3,3", "-deterministic", "-hash-at: 3 is not above the count before it"},
        {"-hash-at", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "-deterministic",
         "-hash-at: more than 16 counts"},
        {"-hash-at", "5,", "-deterministic", "-hash-at: '' is not a number"},
        {"-hash-at", "18446744073709551615", "-deterministic",
         "-hash-at: 18446744073709551615 is out of range (1..18446744073709551614)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct baremu_config cfg;
        char buf[64], *argv[3];
        char err[200] = "";
        int argc = 0;
        for (int k = 0; k < 3 && cases[i][k]; k++) {
            argv[argc] = k == 1 ? strcpy(buf, cases[i][k]) : (char *)cases[i][k];
            argc++;
        }
        cmdline_defaults(&cfg);
        cr_assert_eq(cmdline_parse(&cfg, argc, argv, CMDLINE_HOSTED, err, sizeof err), -1, "%s %s",
                     cases[i][0], cases[i][1]);
        cr_assert_str_eq(err, cases[i][3]);
    }
}

Test(cmdline_parse, help_spellings)
{
    static const char *const spellings[] = {"-h", "-help", "--help", "--h"};
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        struct run r;
        PARSE_OK(&r, HOSTED, spellings[i]);
        cr_assert(r.cfg.help, "%s", spellings[i]);
        PARSE_OK(&r, BARE, spellings[i]);
        cr_assert(r.cfg.help, "%s", spellings[i]);
    }
}

Test(cmdline_parse, help_stops_parsing)
{
    struct run r;
    PARSE_OK(&r, HOSTED, "-smp", "2", "-h", "-foo", "-smp", "bad", "-exit");
    cr_assert(r.cfg.help);
    cr_assert_eq(r.cfg.smp, 2);
}

Test(cmdline_parse, error_before_help_wins)
{
    struct run r;
    cr_assert_eq(run_parse(&r, HOSTED, ARGS("-foo", "-h")), -1);
    cr_assert_str_eq(r.err, "unknown option '-foo'");
}

/* ---- every error message ------------------------------------------------- */

struct err_case {
    unsigned host;
    const char *args[6];
    const char *msg;
};

static struct err_case err_cases[] = {
    /* the command line itself */
    {HOSTED, {"-foo"}, "unknown option '-foo'"},
    {HOSTED, {"--foo"}, "unknown option '--foo'"},
    {HOSTED, {"--"}, "unknown option '--'"},
    {HOSTED, {"---smp", "2"}, "unknown option '---smp'"},
    {HOSTED, {"-SMP", "2"}, "unknown option '-SMP'"},
    {HOSTED, {"-smp=4"}, "unknown option '-smp=4'"},
    {HOSTED, {"disk.img"}, "unexpected argument 'disk.img' (options start with '-')"},
    {HOSTED, {"-"}, "unexpected argument '-' (options start with '-')"},
    {HOSTED, {""}, "unexpected argument '' (options start with '-')"},
    {HOSTED, {"-smp", "2", "extra"}, "unexpected argument 'extra' (options start with '-')"},
    /* missing arguments */
    {HOSTED, {"-smp"}, "-smp: missing argument"},
    {HOSTED, {"-m"}, "-m: missing argument"},
    {HOSTED, {"-kernel"}, "-kernel: missing argument"},
    {HOSTED, {"-initrd"}, "-initrd: missing argument"},
    {HOSTED, {"-append"}, "-append: missing argument"},
    {HOSTED, {"-drive"}, "-drive: missing argument"},
    {HOSTED, {"-serial"}, "-serial: missing argument"},
    {BARE, {"--smp"}, "-smp: missing argument"},
    /* -smp */
    {HOSTED, {"-smp", "abc"}, "-smp: 'abc' is not a number"},
    {HOSTED, {"-smp", "4x"}, "-smp: '4x' is not a number"},
    {HOSTED, {"-smp", "-1"}, "-smp: '-1' is not a number"},
    {HOSTED, {"-smp", "+4"}, "-smp: '+4' is not a number"},
    {HOSTED, {"-smp", " 4"}, "-smp: ' 4' is not a number"},
    {HOSTED, {"-smp", "0x10"}, "-smp: '0x10' is not a number"},
    {HOSTED, {"-smp", "cpus="}, "-smp: '' is not a number"},
    {HOSTED, {"-smp", "0"}, "-smp: 0 vCPUs is out of range (1..1024)"},
    {HOSTED, {"-smp", "cpus=0"}, "-smp: 0 vCPUs is out of range (1..1024)"},
    {HOSTED, {"-smp", "1025"}, "-smp: 1025 vCPUs is out of range (1..1024)"},
    {HOSTED, {"-smp", "4294967297"}, "-smp: 4294967297 vCPUs is out of range (1..1024)"},
    {HOSTED,
     {"-smp", "18446744073709551616"},
     "-smp: 18446744073709551616 vCPUs is out of range (1..1024)"},
    {HOSTED,
     {"-smp", "99999999999999999999"},
     "-smp: 99999999999999999999 vCPUs is out of range (1..1024)"},
    {HOSTED, {"-smp", ""}, "-smp: '' has an empty parameter"},
    {HOSTED, {"-smp", "4,"}, "-smp: '4,' has an empty parameter"},
    {HOSTED, {"-smp", ",4"}, "-smp: ',4' has an empty parameter"},
    {HOSTED, {"-smp", "sockets=2"}, "-smp: 'sockets=2' is not supported (only N or cpus=N)"},
    {HOSTED, {"-smp", "4,maxcpus=8"}, "-smp: 'maxcpus=8' is not supported (only N or cpus=N)"},
    {HOSTED, {"-smp", "4,8"}, "-smp: '8' is not supported (only N or cpus=N)"},
    /* -d, -rip-history */
    {HOSTED, {"-d", "ints"}, "-d: 'ints' is not a log item (only int, cpu_reset, guest_errors)"},
    {BARE, {"-d", "int,"}, "-d: '' is not a log item (only int, cpu_reset, guest_errors)"},
    {HOSTED, {"-d"}, "-d: missing argument"},
    {HOSTED, {"-rip-history", "0"}, "-rip-history: 0 entries is out of range (1..1048576)"},
    {HOSTED,
     {"-rip-history", "1048577"},
     "-rip-history: 1048577 entries is out of range (1..1048576)"},
    {HOSTED, {"-rip-history", "4k"}, "-rip-history: '4k' is not a number"},
    /* -m */
    {HOSTED, {"-m", "abc"}, "-m: size 'abc' is not a number"},
    {HOSTED, {"-m", "size="}, "-m: size '' is not a number"},
    {HOSTED, {"-m", "-1G"}, "-m: size '-1G' is not a number"},
    {HOSTED, {"-m", "G"}, "-m: size 'G' is not a number"},
    {HOSTED, {"-m", ".5G"}, "-m: size '.5G' is not a number"},
    {HOSTED, {"-m", "1.G"}, "-m: size '1.G' is not a number"},
    {HOSTED, {"-m", "1."}, "-m: size '1.' is not a number"},
    {HOSTED, {"-m", "12X"}, "-m: size '12X' has an unknown suffix 'X'"},
    {HOSTED, {"-m", "512MB"}, "-m: size '512MB' has an unknown suffix 'MB'"},
    {HOSTED, {"-m", "512 M"}, "-m: size '512 M' has an unknown suffix ' M'"},
    {HOSTED, {"-m", "1.5.5G"}, "-m: size '1.5.5G' has an unknown suffix '.5G'"},
    {HOSTED, {"-m", "1GiB"}, "-m: size '1GiB' has an unknown suffix 'GiB'"},
    {HOSTED, {"-m", "1.5B"}, "-m: size '1.5B' is a fraction of a byte"},
    {HOSTED, {"-m", "1"}, "-m: size '1' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "0"}, "-m: size '0' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "2040K"}, "-m: size '2040K' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "2T"}, "-m: size '2T' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "1025G"}, "-m: size '1025G' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "1099511627777B"}, "-m: size '1099511627777B' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "1.000000001T"}, "-m: size '1.000000001T' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "1P"}, "-m: size '1P' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "1e"}, "-m: size '1e' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "16E"}, "-m: size '16E' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", "17592186044416"}, "-m: size '17592186044416' is out of range (2 MiB..1 TiB)"},
    {HOSTED,
     {"-m", "18446744073709551615"},
     "-m: size '18446744073709551615' is out of range (2 MiB..1 TiB)"},
    {HOSTED,
     {"-m", "99999999999999999999G"},
     "-m: size '99999999999999999999G' is out of range (2 MiB..1 TiB)"},
    {HOSTED,
     {"-m", "99999999999999999999"},
     "-m: size '99999999999999999999' is out of range (2 MiB..1 TiB)"},
    {HOSTED,
     {"-m", "18446744073709551615.9B"},
     "-m: size '18446744073709551615.9B' is a fraction of a byte"},
    {HOSTED,
     {"-m", "15.99999999999E"},
     "-m: size '15.99999999999E' is out of range (2 MiB..1 TiB)"},
    {HOSTED, {"-m", ""}, "-m: '' has an empty parameter"},
    {HOSTED, {"-m", "512,"}, "-m: '512,' has an empty parameter"},
    {HOSTED, {"-m", "slots=2"}, "-m: 'slots=2' is not supported (only SIZE or size=SIZE)"},
    {HOSTED, {"-m", "1G,maxmem=4G"}, "-m: 'maxmem=4G' is not supported (only SIZE or size=SIZE)"},
    /* files */
    {HOSTED, {"-kernel", ""}, "-kernel: empty file name"},
    {HOSTED, {"-initrd", ""}, "-initrd: empty file name"},
    /* -drive */
    {HOSTED, {"-drive", "disk.img"}, "-drive: 'disk.img' is not key=value (use file=FILE)"},
    {HOSTED, {"-drive", "format=raw"}, "-drive: missing file=FILE in 'format=raw'"},
    {HOSTED,
     {"-drive", "if=virtio,format=raw"},
     "-drive: missing file=FILE in 'if=virtio,format=raw'"},
    {HOSTED, {"-drive", "file="}, "-drive: empty file name"},
    {HOSTED,
     {"-drive", "file=d,format=qcow2"},
     "-drive: format 'qcow2' is not supported (only raw)"},
    {HOSTED, {"-drive", "file=d,format="}, "-drive: format '' is not supported (only raw)"},
    {HOSTED, {"-drive", "file=d,format=RAW"}, "-drive: format 'RAW' is not supported (only raw)"},
    {HOSTED, {"-drive", "file=d,if=ide"}, "-drive: interface 'ide' is not supported (only virtio)"},
    {HOSTED,
     {"-drive", "file=d,cache=none"},
     "-drive: unknown parameter 'cache' (only file, format, if)"},
    {HOSTED, {"-drive", "file=d,readonly"}, "-drive: 'readonly' is not key=value (use file=FILE)"},
    {HOSTED, {"-drive", ""}, "-drive: '' has an empty parameter"},
    {HOSTED, {"-drive", "file=d,"}, "-drive: 'file=d,' has an empty parameter"},
    {HOSTED, {"-drive", "file=d,,,"}, "-drive: 'file=d,,,' has an empty parameter"},
    {HOSTED,
     {"-drive", "file=a", "-drive", "file=b"},
     "-drive: given twice (only one is supported)"},
    /* -serial */
    {HOSTED,
     {"-serial", "file:out.txt"},
     "-serial: 'file:out.txt' is not supported (only stdio or none)"},
    {HOSTED,
     {"-serial", "mon:stdio"},
     "-serial: 'mon:stdio' is not supported (only stdio or none)"},
    {HOSTED, {"-serial", ""}, "-serial: '' is not supported (only stdio or none)"},
    /* host-only options */
    {HOSTED, {"-exit"}, "-exit: only available in the bare-metal kernel"},
    {HOSTED, {"--exit"}, "-exit: only available in the bare-metal kernel"},
    {HOSTED, {"-hostbench"}, "-hostbench: only available in the bare-metal kernel"},
    {HOSTED, {"-smp", "2", "-hostbench"}, "-hostbench: only available in the bare-metal kernel"},
    {BARE, {"-dump-tables", "dir"}, "-dump-tables: only available in the hosted program"},
    {HOSTED, {"-dump-tables"}, "-dump-tables: missing argument"},
    {HOSTED, {"-dump-tables", ""}, "-dump-tables: empty directory name"},
    /* the same messages in the bare-metal host */
    {BARE, {"-foo"}, "unknown option '-foo'"},
    {BARE, {"-smp", "abc"}, "-smp: 'abc' is not a number"},
    {BARE, {"-m", "12X"}, "-m: size '12X' has an unknown suffix 'X'"},
    {BARE, {"-kernel"}, "-kernel: missing argument"},
    /* bad hosts */
    {0, {"-smp", "2"}, "internal error: bad host 0"},
    {CMDLINE_HOSTED | CMDLINE_BAREMETAL, {"-smp", "2"}, "internal error: bad host 0x3"},
};

ParameterizedTestParameters(cmdline_errors, message)
{
    return TABLE_PARAMS(err_cases);
}

ParameterizedTest(size_t *i, cmdline_errors, message)
{
    const struct err_case *c = &err_cases[*i];
    const char *args[7] = {0};
    memcpy(args, c->args, sizeof c->args);
    struct run r;
    cr_assert_eq(run_parse(&r, c->host, args), -1, "%s %s: parsed", args[0], args[1]);
    cr_assert_str_eq(r.err, c->msg, "%s %s: got \"%s\", want \"%s\"", args[0], args[1], r.err,
                     c->msg);
    cr_assert_null(strchr(r.err, '\n'));
}

/* ---- the error buffer ---------------------------------------------------- */

Test(cmdline_errors, null_or_empty_buffer)
{
    struct baremu_config cfg;
    char smp[] = "-smp", bad[] = "x";
    char *argv[] = {smp, bad, NULL};
    char err[4] = "abc";
    cmdline_defaults(&cfg);
    cr_assert_eq(cmdline_parse(&cfg, 2, argv, CMDLINE_HOSTED, NULL, 100), -1);
    cr_assert_eq(cmdline_parse(&cfg, 2, argv, CMDLINE_HOSTED, err, 0), -1);
    cr_assert_str_eq(err, "abc");
}

Test(cmdline_errors, small_buffer_is_truncated_and_terminated)
{
    struct baremu_config cfg;
    char smp[] = "-smp", bad[] = "abc";
    char *argv[] = {smp, bad, NULL};
    for (size_t len = 1; len < 32; len++) {
        char err[40];
        memset(err, '#', sizeof err);
        cmdline_defaults(&cfg);
        cr_assert_eq(cmdline_parse(&cfg, 2, argv, CMDLINE_HOSTED, err, len), -1);
        cr_assert_eq(strnlen(err, len), len - 1 < 27 ? len - 1 : 27, "len %zu: '%s'", len, err);
        cr_assert_eq(strncmp(err, "-smp: 'abc' is not a number", len - 1), 0);
        for (size_t i = len; i < sizeof err; i++)
            cr_assert_eq(err[i], '#', "len %zu: byte %zu written", len, i);
    }
}

Test(cmdline_errors, long_values_are_cut_and_control_bytes_hidden)
{
    char value[300];
    memset(value, '7', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    value[3] = '\n';
    struct run r;
    cr_assert_eq(run_parse(&r, HOSTED, ARGS("-smp", value)), -1);
    cr_assert_null(strchr(r.err, '\n'));
    cr_assert_str_eq(r.err,
                     "-smp: '777?777777777777777777777777777777777777777777777777777777777777...' "
                     "is not a number");
}

/* ---- cmdline_split ------------------------------------------------------- */

struct split_run {
    char line[512];
    char *argv[MAX_ARGS];
    char err[128];
    int argc;
};

static int run_split(struct split_run *s, const char *line, int max_args)
{
    cr_assert_lt(strlen(line), sizeof s->line);
    strcpy(s->line, line);
    memset(s->argv, 0, sizeof s->argv);
    s->err[0] = '\0';
    s->argc = cmdline_split(s->line, s->argv, max_args, s->err, sizeof s->err);
    return s->argc;
}

static void assert_words(struct split_run *s, const char *line, const char *const *want)
{
    int n = 0;
    while (want[n] != NULL)
        n++;
    cr_assert_eq(run_split(s, line, MAX_ARGS), n, "[%s]: %d words, want %d (%s)", line, s->argc, n,
                 s->err);
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(s->argv[i], want[i], "[%s] word %d", line, i);
}

#define SPLITS_TO(line, ...)                                                                       \
    do {                                                                                           \
        struct split_run s_;                                                                       \
        assert_words(&s_, (line), ARGS(__VA_ARGS__));                                              \
    } while (0)

Test(cmdline_split, plain_words)
{
    SPLITS_TO("-smp 4 -m 512M", "-smp", "4", "-m", "512M");
    SPLITS_TO("x", "x");
}

Test(cmdline_split, blanks)
{
    SPLITS_TO("  -smp\t4 \n -m\r\n512M   ", "-smp", "4", "-m", "512M");
}

Test(cmdline_split, nothing)
{
    struct split_run s;
    cr_assert_eq(run_split(&s, "", MAX_ARGS), 0);
    cr_assert_eq(run_split(&s, " \t\r\n ", MAX_ARGS), 0);
    cr_assert_eq(run_split(&s, "", 0), 0);
}

Test(cmdline_split, single_quotes)
{
    SPLITS_TO("-append 'console=ttyS0 quiet'", "-append", "console=ttyS0 quiet");
    SPLITS_TO("'a \"b\" \\c'", "a \"b\" \\c");
    SPLITS_TO("x'y z'w", "xy zw");
}

Test(cmdline_split, double_quotes)
{
    SPLITS_TO("-append \"console=ttyS0 quiet\" -smp 2", "-append", "console=ttyS0 quiet", "-smp",
              "2");
    SPLITS_TO("a\"b c\"d", "ab cd");
    SPLITS_TO("\"it's\"", "it's");
}

Test(cmdline_split, empty_quotes_make_an_empty_word)
{
    SPLITS_TO("a '' b \"\"", "a", "", "b", "");
}

Test(cmdline_split, backslashes)
{
    SPLITS_TO("a\\ b", "a b");
    SPLITS_TO("\\\"x\\'", "\"x'");
    SPLITS_TO("\\\\", "\\");
    SPLITS_TO("\"a\\\"b\\\\c\\'d\"", "a\"b\\c'd"); /* GRUB escapes \ ' " in double quotes too */
}

Test(cmdline_split, grub_form)
{
    /* what GRUB 2's grub_create_loader_cmdline() makes of the argv
       {-append, console=ttyS0 quiet, -kernel, it's "x"} */
    SPLITS_TO("-append \"console=ttyS0 quiet\" -kernel \"it\\'s \\\"x\\\"\"", "-append",
              "console=ttyS0 quiet", "-kernel", "it's \"x\"");
}

Test(cmdline_split, unterminated_quote)
{
    static const char *const lines[] = {"'abc", "a \"b", "\"a\\\"", "x 'y\"", "\""};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct split_run s;
        cr_assert_eq(run_split(&s, lines[i], MAX_ARGS), -1, "[%s]", lines[i]);
        cr_assert_str_eq(s.err, "unterminated quote");
    }
}

Test(cmdline_split, backslash_at_end)
{
    struct split_run s;
    cr_assert_eq(run_split(&s, "-smp 4\\", MAX_ARGS), -1);
    cr_assert_str_eq(s.err, "backslash at end of line");
}

Test(cmdline_split, too_many_arguments)
{
    struct split_run s;
    cr_assert_eq(run_split(&s, "a b c", 2), -1);
    cr_assert_str_eq(s.err, "too many arguments (max 2)");
    cr_assert_eq(run_split(&s, "a", 0), -1);
    cr_assert_str_eq(s.err, "too many arguments (max 0)");
    cr_assert_eq(run_split(&s, "a b ", 2), 2); /* exactly full, trailing blank */
    cr_assert_null(s.argv[2]);
}

Test(cmdline_split, words_stay_inside_the_line)
{
    struct split_run s;
    cr_assert_eq(run_split(&s, "'a' \"b\" c\\ d", MAX_ARGS), 3);
    for (int i = 0; i < s.argc; i++)
        cr_assert(s.argv[i] >= s.line && s.argv[i] < s.line + sizeof s.line);
}

Test(cmdline_split, then_parse)
{
    struct split_run s;
    struct baremu_config cfg;
    char err[128];
    run_split(&s,
              "-smp 8 -m 1G -kernel /boot/bzImage -append 'console=ttyS0 root=/dev/vda' "
              "-drive file=disk.img,format=raw,if=virtio -exit",
              MAX_ARGS);
    cr_assert_eq(s.argc, 11);
    cmdline_defaults(&cfg);
    cr_assert_eq(cmdline_parse(&cfg, s.argc, s.argv, CMDLINE_BAREMETAL, err, sizeof err), 0, "%s",
                 err);
    cr_assert_eq(cfg.smp, 8);
    cr_assert_eq(cfg.ram_bytes, GIB);
    cr_assert_str_eq(cfg.kernel, "/boot/bzImage");
    cr_assert_str_eq(cfg.append, "console=ttyS0 root=/dev/vda");
    cr_assert_str_eq(cfg.drive, "disk.img");
    cr_assert(cfg.exit_when_done);
}

/* ---- cmdline_usage ------------------------------------------------------- */

static void usage_of(unsigned host, char *buf, size_t len)
{
    size_t n = cmdline_usage(buf, len, host);
    cr_assert_lt(n, len);
    cr_assert_eq(strlen(buf), n);
}

Test(cmdline_usage, hosted_lists_its_options_only)
{
    char buf[4096];
    usage_of(CMDLINE_HOSTED, buf, sizeof buf);
    static const char *const want[] = {
        "usage: baremu ", "-smp N",          "-m SIZE",          "-kernel FILE",
        "-initrd FILE",   "-append STRING",  "-drive file=FILE", "-serial stdio|none",
        "-h, -help",      "-dump-tables DIR"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_not_null(strstr(buf, want[i]), "missing %s in\n%s", want[i], buf);
    cr_assert_null(strstr(buf, "-exit"));
    cr_assert_null(strstr(buf, "-hostbench"));
}

Test(cmdline_usage, baremetal_lists_its_options)
{
    char buf[4096];
    usage_of(CMDLINE_BAREMETAL, buf, sizeof buf);
    cr_assert_not_null(strstr(buf, "usage: baremu.elf "));
    cr_assert_not_null(strstr(buf, "\n  -exit "));
    cr_assert_not_null(strstr(buf, "\n  -hostbench "));
    cr_assert_not_null(strstr(buf, "\n  -smp N "));
    cr_assert_null(strstr(buf, "-dump-tables"));
}

Test(cmdline_usage, lines_end_in_newline_and_fit_80_columns)
{
    char buf[4096];
    usage_of(CMDLINE_BAREMETAL, buf, sizeof buf);
    cr_assert_eq(buf[strlen(buf) - 1], '\n');
    for (char *line = buf, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
        cr_assert_leq(nl - line, 80, "long line: %.*s", (int)(nl - line), line);
}

Test(cmdline_usage, snprintf_semantics)
{
    char full[4096], small[16];
    size_t n = cmdline_usage(NULL, 0, CMDLINE_HOSTED);
    cr_assert_gt(n, 0);
    cr_assert_eq(cmdline_usage(full, sizeof full, CMDLINE_HOSTED), n);
    memset(small, '#', sizeof small);
    cr_assert_eq(cmdline_usage(small, 10, CMDLINE_HOSTED), n);
    cr_assert_eq(strlen(small), 9);
    cr_assert_eq(strncmp(small, full, 9), 0);
    cr_assert_eq(small[10], '#');
    cr_assert_eq(cmdline_usage(small, 1, CMDLINE_HOSTED), n);
    cr_assert_eq(small[0], '\0');
}

/* ---- cmdline_describe ---------------------------------------------------- */

Test(cmdline_describe, defaults)
{
    struct baremu_config cfg;
    char buf[256];
    cmdline_defaults(&cfg);
    size_t n = cmdline_describe(buf, sizeof buf, &cfg);
    cr_assert_str_eq(buf, "1 vCPU, 128 MiB RAM, serial stdio");
    cr_assert_eq(n, strlen(buf));
}

Test(cmdline_describe, everything)
{
    struct run r;
    char buf[512];
    PARSE_OK(&r, BARE, "-smp", "4", "-m", "512", "-kernel", "k", "-initrd", "i", "-drive", "file=d",
             "-append", "a b", "-serial", "none", "-exit", "-hostbench");
    cmdline_describe(buf, sizeof buf, &r.cfg);
    cr_assert_str_eq(buf, "4 vCPUs, 512 MiB RAM, kernel k, initrd i, drive d (raw, virtio), "
                          "append 'a b', serial none, exit when done, hostbench");
}

Test(cmdline_describe, ram_units)
{
    static const struct size_case cases[] = {
        {"1T", 0}, {"3G", 0}, {"1.5G", 0}, {"2049K", 0}, {"2.5", 0},
    };
    static const char *const want[] = {"1 TiB", "3 GiB", "1536 MiB", "2056 KiB", "2560 KiB"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        char buf[256];
        PARSE_OK(&r, HOSTED, "-m", cases[i].arg);
        cmdline_describe(buf, sizeof buf, &r.cfg);
        cr_assert_not_null(strstr(buf, want[i]), "-m %s: %s", cases[i].arg, buf);
    }
}

Test(cmdline_describe, odd_sizes_and_truncation)
{
    struct baremu_config cfg;
    char buf[64], tiny[8];
    cmdline_defaults(&cfg);
    cfg.ram_bytes = 1000;
    cmdline_describe(buf, sizeof buf, &cfg);
    cr_assert_str_eq(buf, "1 vCPU, 1000 bytes RAM, serial stdio");
    cfg.ram_bytes = UINT64_MAX;
    cmdline_describe(buf, sizeof buf, &cfg);
    cr_assert_str_eq(buf, "1 vCPU, 18446744073709551615 bytes RAM, serial stdio");
    size_t n = cmdline_describe(tiny, sizeof tiny, &cfg);
    cr_assert_eq(n, strlen(buf));
    cr_assert_str_eq(tiny, "1 vCPU,");
}
