/*
 * aml.c: a small AML writer (see aml.h). ACPI 6.3 chapter 20, "ACPI Machine
 * Language (AML) Specification": 20.2.2 names, 20.2.3 data objects, 20.2.4
 * package length, 20.2.5 terms.
 */
#include "firmware/aml.h"

#include <string.h>

#define NAMESEG_LEN    4
#define PKGLEN_RESERVE 4 /* room kept for a PkgLength until the object is closed */

static void set_error(struct aml *a, const char *what)
{
    if (a->error == NULL)
        a->error = what;
}

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
    memset(a, 0, sizeof *a);
    a->buf = buf;
    a->cap = cap;
}

long aml_finish(struct aml *a, const char **error)
{
    if (a->depth != 0)
        set_error(a, "an AML object was left open");
    if (error != NULL)
        *error = a->error;
    return a->error != NULL ? -1 : (long)a->len;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
    if (a->error != NULL)
        return;
    if (n > a->cap - a->len) {
        set_error(a, "the AML does not fit its buffer");
        return;
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

void aml_byte(struct aml *a, uint8_t v)
{
    aml_bytes(a, &v, 1);
}

/*
 * 20.2.4: PkgLength counts itself. Bits 7:6 of the lead byte give the count
 * of bytes that follow (0..3); with none, bits 5:0 are the length, else bits
 * 3:0 are its low nibble and each following byte 8 more bits.
 */
size_t aml_pkglen_encode(size_t body, uint8_t out[4])
{
    static const size_t limit[] = {0x3f, 0xfff, 0xfffff, AML_PKGLEN_MAX};
    for (size_t n = 1; n <= 4; n++) {
        size_t total = body + n;
        if (total > limit[n - 1])
            continue;
        if (n == 1) {
            out[0] = (uint8_t)total;
            return 1;
        }
        out[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
        for (size_t i = 1; i < n; i++)
            out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
        return n;
    }
    return 0;
}

static void open_pkg(struct aml *a)
{
    if (a->depth >= AML_MAX_DEPTH) {
        set_error(a, "AML objects nest too deep");
        return;
    }
    a->open[a->depth++] = a->len;
    static const uint8_t room[PKGLEN_RESERVE];
    aml_bytes(a, room, sizeof room);
}

void aml_end(struct aml *a)
{
    if (a->error != NULL)
        return;
    if (a->depth == 0) {
        set_error(a, "aml_end() without an open object");
        return;
    }
    size_t at = a->open[--a->depth];
    size_t body = a->len - at - PKGLEN_RESERVE;
    uint8_t enc[4];
    size_t n = aml_pkglen_encode(body, enc);
    if (n == 0) {
        set_error(a, "an AML object is longer than a PkgLength can say");
        return;
    }
    memcpy(a->buf + at, enc, n);
    memmove(a->buf + at + n, a->buf + at + PKGLEN_RESERVE, body);
    a->len -= PKGLEN_RESERVE - n;
}

/* 20.2.2: NameSeg := LeadNameChar NameChar NameChar NameChar */
static bool name_char(char c, bool lead)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

void aml_namestring(struct aml *a, const char *path)
{
    const char *p = path;
    if (*p == '\\')
        aml_byte(a, AML_ROOT_CHAR), p++;
    size_t segs = 0;
    for (const char *q = p; *q != '\0'; q++)
        segs += q == p || *q == '.';
    if (segs == 2)
        aml_byte(a, AML_DUAL_NAME);
    else if (segs > 2)
        aml_byte(a, AML_MULTI_NAME), aml_byte(a, (uint8_t)segs);
    else if (segs == 0)
        aml_byte(a, AML_ZERO_OP); /* NullName: the root itself */
    while (*p != '\0') {
        char seg[NAMESEG_LEN] = {'_', '_', '_', '_'};
        size_t n = 0;
        for (; *p != '\0' && *p != '.'; p++, n++) {
            if (n >= NAMESEG_LEN || !name_char(*p, n == 0)) {
                set_error(a, "a bad AML name");
                return;
            }
            seg[n] = *p;
        }
        if (n == 0) {
            set_error(a, "an empty AML name segment");
            return;
        }
        aml_bytes(a, seg, sizeof seg);
        if (*p == '.')
            p++;
    }
}

/* 20.2.3: ComputationalData; ZeroOp and OneOp for 0 and 1 */
void aml_integer(struct aml *a, uint64_t v)
{
    uint8_t b[9];
    size_t n;
    if (v <= 1) {
        aml_byte(a, v == 0 ? AML_ZERO_OP : AML_ONE_OP);
        return;
    }
    if (v <= UINT8_MAX)
        b[0] = AML_BYTE_PREFIX, n = 1;
    else if (v <= UINT16_MAX)
        b[0] = AML_WORD_PREFIX, n = 2;
    else if (v <= UINT32_MAX)
        b[0] = AML_DWORD_PREFIX, n = 4;
    else
        b[0] = AML_QWORD_PREFIX, n = 8;
    for (size_t i = 0; i < n; i++)
        b[1 + i] = (uint8_t)(v >> (8 * i));
    aml_bytes(a, b, 1 + n);
}

/* String := StringPrefix AsciiCharList NullChar; ASCII 0x01..0x7f */
void aml_string(struct aml *a, const char *s)
{
    for (const char *p = s; *p != '\0'; p++)
        if ((unsigned char)*p > 0x7f) {
            set_error(a, "a non-ASCII AML string");
            return;
        }
    aml_byte(a, AML_STRING_PREFIX);
    aml_bytes(a, s, strlen(s) + 1);
}

/* DefBuffer := BufferOp PkgLength BufferSize ByteList */
void aml_buffer(struct aml *a, const void *bytes, size_t n)
{
    aml_byte(a, AML_BUFFER_OP);
    open_pkg(a);
    aml_integer(a, n);
    aml_bytes(a, bytes, n);
    aml_end(a);
}

void aml_name(struct aml *a, const char *name)
{
    aml_byte(a, AML_NAME_OP);
    aml_namestring(a, name);
}

void aml_scope_begin(struct aml *a, const char *path)
{
    aml_byte(a, AML_SCOPE_OP);
    open_pkg(a);
    aml_namestring(a, path);
}

void aml_device_begin(struct aml *a, const char *name)
{
    aml_byte(a, AML_EXT_OP);
    aml_byte(a, AML_DEVICE_OP);
    open_pkg(a);
    aml_namestring(a, name);
}

/* DefProcessor := ProcessorOp PkgLength NameString ProcID PblkAddr PblkLen ObjectList */
void aml_processor_begin(struct aml *a, const char *name, uint8_t proc_id, uint32_t pblk_addr,
                         uint8_t pblk_len)
{
    uint8_t tail[6] = {proc_id,
                       (uint8_t)pblk_addr,
                       (uint8_t)(pblk_addr >> 8),
                       (uint8_t)(pblk_addr >> 16),
                       (uint8_t)(pblk_addr >> 24),
                       pblk_len};
    aml_byte(a, AML_EXT_OP);
    aml_byte(a, AML_PROCESSOR_OP);
    open_pkg(a);
    aml_namestring(a, name);
    aml_bytes(a, tail, sizeof tail);
}

/* MethodFlags: bits 2:0 ArgCount, bit 3 SerializeFlag, bits 7:4 SyncLevel */
void aml_method_begin(struct aml *a, const char *name, unsigned nargs, bool serialized)
{
    if (nargs > 7)
        set_error(a, "an AML method takes at most 7 arguments");
    aml_byte(a, AML_METHOD_OP);
    open_pkg(a);
    aml_namestring(a, name);
    aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 1u << 3 : 0)));
}

/* DefPackage := PackageOp PkgLength NumElements PackageElementList */
void aml_package_begin(struct aml *a, unsigned count)
{
    if (count > UINT8_MAX)
        set_error(a, "an AML package holds at most 255 elements");
    aml_byte(a, AML_PACKAGE_OP);
    open_pkg(a);
    aml_byte(a, (uint8_t)count);
}

void aml_method_return_int(struct aml *a, const char *name, uint64_t v)
{
    aml_method_begin(a, name, 0, false);
    aml_byte(a, AML_RETURN_OP);
    aml_integer(a, v);
    aml_end(a);
}
