/*
 * rt_selftest: the guest runtime checks itself (printf formatting, the
 * command-line parser, the string functions, 64-bit arithmetic through
 * libgcc). Plain integer code, so it is also an early target for an
 * interpreter.
 *
 * With mode=NAME on the command line it misbehaves on purpose instead, so
 * tests/guest/check-runner can see that the runner reports each way a
 * guest can go wrong: fail, lie, short, bail, ud, gp, triple, hang; and
 * wild, for build/baremu's -d guest_errors (tests/unit/hosted-cli.sh).
 */
#include "rt/guest.h"

static bool fmt_is(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fmt_is(const char *want, const char *fmt, ...)
{
    char got[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(got, sizeof(got), fmt, ap);
    va_end(ap);
    bool ok = strlen(got) == strlen(want) && memcmp(got, want, strlen(want)) == 0;
    if (!ok)
        tap_diag("format \"%s\": got \"%s\", want \"%s\"", fmt, got, want);
    return ok;
}

static void check_printf(void)
{
    char buf[8];

    tap_ok(fmt_is("-42 0 2147483647", "%d %i %d", -42, 0, INT32_MAX), "printf %%d %%i");
    tap_ok(fmt_is("4294967295", "%u", UINT32_MAX), "printf %%u");
    tap_ok(fmt_is("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu), "printf %%x %%X");
    tap_ok(fmt_is("00001234|   42|ab   |-0042", "%08x|%5d|%-5s|%05d", 0x1234u, 42, "ab", -42),
           "printf width, '0' and '-' flags");
    tap_ok(fmt_is("123456789abcdef0 ffffffff", "%llx %lx", 0x123456789abcdef0ULL, 0xfffffffful),
           "printf %%llx %%lx");
    tap_ok(fmt_is("18446744073709551615 -9223372036854775808", "%llu %lld", UINT64_MAX,
                  (long long)INT64_MIN),
           "printf %%llu %%lld (64-bit division in libgcc)");
    tap_ok(fmt_is("x 0x1000 % (null) 7", "%c %p %% %s %zu", 'x', (void *)0x1000, (char *)NULL,
                  (size_t)7),
           "printf %%c %%p %%%% %%s %%zu");
    int n = snprintf(buf, sizeof(buf), "%s", "abcdefghij");
    tap_ok(n == 10 && strlen(buf) == sizeof(buf) - 1, "snprintf truncates and counts");
}

static void check_args(void)
{
    uint32_t cpus = 0;
    char val[8];

    bool got = arg_u32("cpus", &cpus);
    tap_ok(got && cpus >= 1, "arg_u32 reads cpus=%u", cpus);
    tap_ok(arg_present("cpus") && !arg_present("cpu") && !arg_present("no-such-key"),
           "arg_present matches whole keys only");
    tap_ok(arg_str("cpus", val, sizeof(val)) && val[0] >= '1' && val[0] <= '9', "arg_str");
}

static void check_string(void)
{
    char s[] = "0123456789";

    memmove(s + 2, s, 5);
    bool fwd = memcmp(s, "0101234789", 10) == 0;
    memmove(s, s + 2, 5);
    bool back = memcmp(s, "0123434789", 10) == 0;
    memset(s, 'z', 3);
    tap_ok(fwd && back && s[2] == 'z' && s[3] == '3', "memmove both ways, memset");
}

static void check_arith(void)
{
    volatile uint64_t a = 0xFEDCBA9876543210ULL, b = 0x12345;
    volatile int64_t c = -1000000000000LL;

    tap_ok(a / b == 0xE0004FA01C4DULL && a % b == 0x10A4F && c / 7 == -142857142857LL &&
               c % 7 == -1,
           "64-bit divide and modulo");
}

static int in_ring3(void *arg)
{
    tap_ok(cpu_cpl() == 3, "ring3_call runs its function at CPL 3 (printing through SYS_PUTC)");
    return *(int *)arg + 1;
}

static uint32_t sys_double(struct trap_frame *f)
{
    return f->ebx * 2;
}

static int ring3_syscall(void *arg)
{
    (void)arg;
    return (int)syscall1(SYS_USER, 21);
}

static volatile uint32_t seen_cs, seen_ss, seen_esp, seen_frame;

static void bp_handler(struct trap_frame *f)
{
    seen_cs = f->cs & 0xFFFF;
    seen_ss = f->ss & 0xFFFF;
    seen_esp = f->esp;
    seen_frame = (uint32_t)(uintptr_t)f;
}

static int ring3_int3(void *arg)
{
    (void)arg;
    __asm__ volatile("int3");
    return 0;
}

static void check_ring3(void)
{
    int x = 41;

    tap_ok(ring3_call(in_ring3, &x) == 42 && cpu_cpl() == 0, "ring3_call returns fn's result");
    syscall_set(SYS_USER, sys_double);
    tap_ok(ring3_call(ring3_syscall, NULL) == 42, "a test's own syscall through the DPL-3 gate");
    idt_set_handler(3, bp_handler, 3);
    ring3_call(ring3_int3, NULL);
    idt_clear_handler(3);
    tap_ok(seen_cs == SEL_UCODE && seen_ss == SEL_UDATA && seen_esp > (uintptr_t)ring3_stack &&
               seen_esp <= (uintptr_t)ring3_stack_top && seen_frame > (uintptr_t)ring0_stack &&
               seen_frame < (uintptr_t)ring0_stack_top,
           "INT3 from ring 3: frame on TSS.ESP0's stack, ring 3's SS:ESP saved");
}

/* misbehave as asked: after one good line, out of a plan of three */
static void misbehave(const char *mode)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) no_idt = {0, 0};

    tap_plan(3);
    tap_ok(true, "first");
    if (!strncmp(mode, "fail", 5)) {
        tap_ok(false, "second fails");
        tap_ok(true, "third");
        tap_done();
    } else if (!strncmp(mode, "lie", 4)) {
        tap_ok(false, "second fails");
        tap_ok(true, "third");
        guest_exit(GUEST_PASS); /* but claims success */
    } else if (!strncmp(mode, "short", 6)) {
        guest_exit(GUEST_PASS); /* two tests short of the plan */
    } else if (!strncmp(mode, "bail", 5)) {
        tap_bail("asked to bail out");
    } else if (!strncmp(mode, "ud", 3)) {
        __asm__ volatile("ud2");
    } else if (!strncmp(mode, "gp", 3)) {
        __asm__ volatile("mov %0, %%ds" : : "r"(0x33)); /* beyond the GDT */
    } else if (!strncmp(mode, "triple", 7)) {
        __asm__ volatile("lidt %0; int3" : : "m"(no_idt));
    } else if (!strncmp(mode, "wild", 5)) {
        /* what -d guest_errors reports: a read where no device is, a write to a
         * port nobody has, then an MSR that does not exist (#GP) */
        (void)*(volatile uint32_t *)0xfe000000u;
        outb(0x2fb, 0x80);
        __asm__ volatile("rdmsr" : : "c"(0x4b4d5352u) : "eax", "edx");
    } else if (!strncmp(mode, "hang", 5)) {
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    tap_bail("unknown mode=%s", mode);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    char mode[16];
    (void)magic;
    (void)mbi;

    if (arg_str("mode", mode, sizeof(mode)))
        misbehave(mode);
    check_printf();
    check_args();
    check_string();
    check_arith();
    check_ring3();
    tap_done(); /* no plan up front: tap_done prints it */
}
