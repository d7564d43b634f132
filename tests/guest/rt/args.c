/*
 * The kernel command line (Multiboot 0.6.96 section 3.3, flags bit 2). It
 * is split into words at spaces; a word key=value sets key. QEMU's -kernel
 * puts the kernel's file name first, GRUB its path: words without '=' are
 * kept for arg_present() and otherwise ignored.
 */
#include "guest.h"

#define CMDLINE_MAX 512

static char cmdline[CMDLINE_MAX]; /* copied: tests may scribble on low memory */

void args_init(const struct multiboot_info *mbi)
{
    if (!mbi || !(mbi->flags & MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline)
        return;
    const char *src = phys_ptr(mbi->cmdline);
    size_t i;
    for (i = 0; i + 1 < sizeof(cmdline) && src[i]; i++)
        cmdline[i] = src[i];
    cmdline[i] = '\0';
}

const char *arg_cmdline(void)
{
    return cmdline;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Find the word "key" or "key=value"; returns the start of the value (the
 * end of the word for a bare key) and its length, or NULL. The last
 * occurrence wins, as on the Linux command line.
 */
static const char *arg_find(const char *key, size_t *vlen)
{
    size_t klen = strlen(key);
    const char *found = NULL;

    for (const char *p = cmdline; *p;) {
        while (is_space(*p))
            p++;
        const char *w = p;
        while (*p && !is_space(*p))
            p++;
        size_t wlen = (size_t)(p - w);
        if (wlen < klen || strncmp(w, key, klen) != 0)
            continue;
        if (wlen == klen) {
            found = w + klen;
            *vlen = 0;
        } else if (w[klen] == '=') {
            found = w + klen + 1;
            *vlen = wlen - klen - 1;
        }
    }
    return found;
}

bool arg_present(const char *key)
{
    size_t n;

    return arg_find(key, &n) != NULL;
}

bool arg_str(const char *key, char *buf, size_t n)
{
    size_t vlen;
    const char *v = arg_find(key, &vlen);

    if (!v || n == 0)
        return false;
    if (vlen >= n)
        vlen = n - 1;
    memcpy(buf, v, vlen);
    buf[vlen] = '\0';
    return true;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

bool arg_u32(const char *key, uint32_t *out)
{
    size_t n;
    const char *v = arg_find(key, &n);
    unsigned base = 10;
    uint64_t acc = 0;

    if (!v || n == 0)
        return false;
    if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        base = 16;
        v += 2;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        int d = digit_value(v[i]);
        if (d >= (int)base)
            return false;
        acc = acc * base + (unsigned)d;
        if (acc > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)acc;
    return true;
}
