/*
 * The benchmark guests' entry (bench/guest/bench.h). In the guest:
 *
 *     iters=0xNNNNNNNN expect=0xNNNNNNNN
 *
 * on the Multiboot command line (both fixed-width hex, so parsing them costs
 * the same whatever N is); it runs bench_run(iters), prints
 * "bench NAME iters=0x... checksum=0x...", and exits through the debug-exit
 * port with 0 when the checksum is the expected one, 1 when it is not, 2
 * without iters= or expect=. The output is fixed-width too: the guest
 * executes the same instructions outside bench_run whatever N is.
 *
 * Built for the host with BENCH_HOST: `NAME.host ITERS` prints the checksum
 * bench_run(ITERS) gives, which bench/cpu.sh passes as expect=.
 */
#include "bench.h"

#ifdef BENCH_HOST
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ITERS\n", argv[0]);
        return 2;
    }
    uint32_t iters = (uint32_t)strtoul(argv[1], NULL, 0);
    printf("0x%08x\n", bench_run(iters));
    return 0;
}

#else
#include "rt/guest.h"

#ifndef BENCH_LABEL /* the 64-bit variants' harness is built with its own */
#define BENCH_LABEL bench_name
#endif

/*
 * "key=0xNNNNNNNN" from the command line, exactly 8 hex digits, decoded
 * through a table: the same instructions whatever the digits (rt's
 * arg_u32 branches on letter or digit).
 */
static const uint8_t hexval[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
    ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int arg_hex8(const char *key, uint32_t *out)
{
    char s[16];
    uint32_t v = 0, bad = 0;

    if (!arg_str(key, s, sizeof s) || strlen(s) != 10 || s[0] != '0' || s[1] != 'x')
        return 0;
    for (int i = 2; i < 10; i++) {
        uint32_t d = hexval[(uint8_t)s[i]];
        bad |= d == 0;
        v = v << 4 | ((d - 1) & 15);
    }
    *out = v;
    return !bad;
}

static void put_hex8(uint32_t v) /* always 8 digits, always the same instructions */
{
    for (int i = 28; i >= 0; i -= 4)
        uart_putc("0123456789abcdef"[(v >> i) & 15]);
}

static void put_line(const char *a, uint32_t v, const char *b, uint32_t w)
{
    uart_puts(a);
    put_hex8(v);
    uart_puts(b);
    put_hex8(w);
    uart_putc('\n');
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    uint32_t iters, expect;

    (void)magic;
    (void)mbi;
    if (!arg_hex8("iters", &iters)) {
        uart_puts("Bail out! no iters=0xNNNNNNNN on the command line\n");
        return GUEST_CRASH;
    }
    int have_expect = arg_hex8("expect", &expect);
    uint32_t sum = bench_run(iters);
    uart_puts("bench ");
    uart_puts(BENCH_LABEL);
    put_line(" iters=0x", iters, " checksum=0x", sum);
    if (!have_expect) {
        uart_puts("Bail out! no expect=0xNNNNNNNN on the command line\n");
        return GUEST_CRASH;
    }
    if (sum != expect) {
        put_line("Bail out! WRONG CHECKSUM: got 0x", sum, ", expected 0x", expect);
        return GUEST_FAIL;
    }
    uart_puts("# checksum ok\n");
    return GUEST_PASS;
}
#endif
