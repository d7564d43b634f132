/*
 * A minimal printf for guests: %s %c %d %i %u %x %X %p %%, the flags '-'
 * and '0', a field width (or '*'), and the length modifiers hh h l ll z.
 * 64-bit conversions use libgcc's __udivdi3 and __umoddi3.
 */
#include "guest.h"

struct sink {
    void (*put)(struct sink *s, char c);
    char *buf; /* snprintf only */
    size_t size;
    size_t len; /* characters produced, stored or not */
};

static void put_uart(struct sink *s, char c)
{
    uart_putc(c);
    s->len++;
}

static void put_buf(struct sink *s, char c)
{
    if (s->len + 1 < s->size)
        s->buf[s->len] = c;
    s->len++;
}

static void pad(struct sink *s, int n, char c)
{
    while (n-- > 0)
        s->put(s, c);
}

static void emit(struct sink *s, const char *str, int len, int width, bool left, char padc)
{
    /* zero padding goes after a sign */
    if (padc == '0' && len > 0 && *str == '-') {
        s->put(s, *str++);
        len--;
        width--;
    }
    if (!left)
        pad(s, width - len, padc);
    for (int i = 0; i < len; i++)
        s->put(s, str[i]);
    if (left)
        pad(s, width - len, ' ');
}

/* digits of v in base, written backwards ending at end; returns the start */
static char *utoa(char *end, unsigned long long v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    *--end = '\0';
    do {
        if (v <= UINT32_MAX) { /* keep 32-bit values off libgcc */
            uint32_t w = (uint32_t)v;
            *--end = digits[w % base];
            v = w / base;
        } else {
            *--end = digits[v % base];
            v /= base;
        }
    } while (v);
    return end;
}

enum length { LEN_INT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_LLONG:
        return va_arg(*ap, unsigned long long);
    case LEN_LONG:
        return va_arg(*ap, unsigned long);
    case LEN_SIZE:
        return va_arg(*ap, size_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

static long long arg_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_LLONG:
        return va_arg(*ap, long long);
    case LEN_LONG:
        return va_arg(*ap, long);
    case LEN_SIZE:
        return (long long)va_arg(*ap, size_t);
    default:
        return va_arg(*ap, int);
    }
}

static void format(struct sink *s, const char *fmt, va_list ap0)
{
    char tmp[24]; /* 2^64 in decimal is 20 digits, plus sign and NUL */
    va_list ap;

    va_copy(ap, ap0);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            s->put(s, *fmt);
            continue;
        }
        fmt++;
        bool left = false;
        char padc = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '0')
                padc = '0';
            else
                break;
        }
        if (left)
            padc = ' ';
        int width = 0;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');

        enum length len = LEN_INT;
        while (*fmt == 'h')
            fmt++; /* char and short are promoted to int anyway */
        if (*fmt == 'l') {
            len = LEN_LONG;
            if (*++fmt == 'l') {
                len = LEN_LLONG;
                fmt++;
            }
        } else if (*fmt == 'z') {
            len = LEN_SIZE;
            fmt++;
        }

        const char *str;
        char c;
        switch (*fmt) {
        case 's':
            str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            emit(s, str, (int)strlen(str), width, left, ' ');
            break;
        case 'c':
            c = (char)va_arg(ap, int);
            emit(s, &c, 1, width, left, ' ');
            break;
        case 'd':
        case 'i': {
            long long v = arg_signed(&ap, len);
            unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            char *p = utoa(tmp + sizeof(tmp), mag, 10, false);
            if (v < 0)
                *--p = '-';
            emit(s, p, (int)strlen(p), width, left, padc);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned base = *fmt == 'u' ? 10 : 16;
            str = utoa(tmp + sizeof(tmp), arg_unsigned(&ap, len), base, *fmt == 'X');
            emit(s, str, (int)strlen(str), width, left, padc);
            break;
        }
        case 'p':
            str = utoa(tmp + sizeof(tmp), (uintptr_t)va_arg(ap, void *), 16, false);
            s->put(s, '0');
            s->put(s, 'x');
            emit(s, str, (int)strlen(str), width - 2, left, padc);
            break;
        case '%':
            s->put(s, '%');
            break;
        case '\0':
            fmt--; /* a lone '%' at the end */
            break;
        default: /* unknown: print it as written */
            s->put(s, '%');
            s->put(s, *fmt);
            break;
        }
    }
    va_end(ap);
}

int vprintf(const char *fmt, va_list ap)
{
    struct sink s = {.put = put_uart};

    format(&s, fmt, ap);
    return (int)s.len;
}

int printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct sink s = {.put = put_buf, .buf = buf, .size = n};

    format(&s, fmt, ap);
    if (n)
        buf[s.len < n ? s.len : n - 1] = '\0';
    return (int)s.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}
