/*
 * TAP producer for guest tests (TAP version 12). Every line goes to COM1;
 * the runner re-emits them with an engine/test/smp prefix.
 */
#include "guest.h"

#define TAP_LINE_MAX 256

static int planned = -1;
static int ran;
static int failed;

void tap_plan(int n)
{
    planned = n;
    printf("1..%d\n", n);
}

static void tap_line(bool ok, const char *directive, const char *fmt, va_list ap)
{
    printf("%sok %d - ", ok ? "" : "not ", ++ran);
    vprintf(fmt, ap);
    if (directive)
        printf(" # %s", directive);
    printf("\n");
}

bool tap_ok(bool cond, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_line(cond, NULL, fmt, ap);
    va_end(ap);
    if (!cond)
        failed++;
    return cond;
}

void tap_skip(const char *why, const char *fmt, ...)
{
    char directive[TAP_LINE_MAX];
    va_list ap;

    snprintf(directive, sizeof(directive), "SKIP %s", why);
    va_start(ap, fmt);
    tap_line(true, directive, fmt, ap);
    va_end(ap);
}

/* one "# " line per line of text */
static void diag_lines(const char *text)
{
    printf("# ");
    for (; *text; text++) {
        uart_putc(*text);
        if (*text == '\n' && text[1])
            printf("# ");
    }
    if (text[-1] != '\n')
        uart_putc('\n');
}

void tap_diag(const char *fmt, ...)
{
    char buf[TAP_LINE_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (buf[0])
        diag_lines(buf);
}

void tap_bail(const char *fmt, ...)
{
    va_list ap;

    printf("Bail out! ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    guest_exit(GUEST_CRASH);
}

int tap_failed(void)
{
    return failed;
}

void tap_done(void)
{
    if (planned < 0) {
        printf("1..%d\n", ran);
    } else if (ran != planned) {
        tap_diag("planned %d tests but ran %d", planned, ran);
        failed++;
    }
    if (failed)
        tap_diag("failed %d of %d", failed, ran);
    guest_exit(failed ? GUEST_FAIL : GUEST_PASS);
}
