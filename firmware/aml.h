/*
 * firmware/aml.h: a small writer of ACPI Machine Language (ACPI 6.3 chapter
 * 20), enough for the objects that depend on the machine configuration:
 * names, integers, strings, buffers, packages, scopes, devices, processors
 * and methods that return a constant.
 *
 * Objects that hold others (scope, device, processor, method, package) are
 * opened with aml_*_begin() and closed with aml_end(), which writes their
 * PkgLength in the shortest encoding (20.2.4). Nothing is allocated: the
 * writer fills a caller's buffer, and any overflow or misuse is remembered
 * and reported once by aml_finish().
 */
#ifndef BAREMU_FW_AML_H
#define BAREMU_FW_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8

/* opcodes (ACPI 6.3 20.3) */
#define AML_ZERO_OP       0x00
#define AML_ONE_OP        0x01
#define AML_NAME_OP       0x08
#define AML_BYTE_PREFIX   0x0a
#define AML_WORD_PREFIX   0x0b
#define AML_DWORD_PREFIX  0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX  0x0e
#define AML_SCOPE_OP      0x10
#define AML_BUFFER_OP     0x11
#define AML_PACKAGE_OP    0x12
#define AML_METHOD_OP     0x14
#define AML_DUAL_NAME     0x2e
#define AML_MULTI_NAME    0x2f
#define AML_ROOT_CHAR     0x5c
#define AML_EXT_OP        0x5b
#define AML_DEVICE_OP     0x82 /* after AML_EXT_OP */
#define AML_PROCESSOR_OP  0x83 /* after AML_EXT_OP; deprecated in 6.x, kept for old guests */
#define AML_RETURN_OP     0xa4

#define AML_PKGLEN_MAX 0x0fffffffu /* 28 bits */

struct aml {
    uint8_t *buf;
    size_t cap, len;
    size_t open[AML_MAX_DEPTH]; /* where each open object's PkgLength goes */
    unsigned depth;
    const char *error; /* the first thing that went wrong, or NULL */
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);

/* the length written, or -1 with *error naming the problem */
long aml_finish(struct aml *a, const char **error);

void aml_byte(struct aml *a, uint8_t v);
void aml_bytes(struct aml *a, const void *p, size_t n);

/* "\_PR_.C000", "_STA", "C01": segments shorter than 4 are padded with '_' */
void aml_namestring(struct aml *a, const char *path);

void aml_integer(struct aml *a, uint64_t v); /* the shortest encoding */
void aml_string(struct aml *a, const char *s);
void aml_buffer(struct aml *a, const void *bytes, size_t n);

void aml_name(struct aml *a, const char *name); /* Name (name, <the next object>) */

void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *name);
void aml_processor_begin(struct aml *a, const char *name, uint8_t proc_id, uint32_t pblk_addr,
                         uint8_t pblk_len);
void aml_method_begin(struct aml *a, const char *name, unsigned nargs, bool serialized);
void aml_package_begin(struct aml *a, unsigned count);
void aml_end(struct aml *a);

/* Method (name) { Return (v) }: the constant _STA and the like */
void aml_method_return_int(struct aml *a, const char *name, uint64_t v);

/* the PkgLength encoding of a body of n bytes; returns its size (1..4), 0 if too long */
size_t aml_pkglen_encode(size_t body, uint8_t out[4]);

#endif
