/*
 * fw_test.h: what the firmware unit tests share: build the tables for a
 * configuration into a buffer that stands for guest RAM.
 */
#ifndef TESTS_UNIT_FW_TEST_H
#define TESTS_UNIT_FW_TEST_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/fw.h"

#define FW_TEST_RAM (64ull << 20)

/* little-endian stores into a test image */
static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* the vCPU counts every table is checked with: for (k = 0; k < FW_TEST_NCOUNTS; k++) */
#define FW_TEST_NCOUNTS 5
static inline unsigned fw_test_count(size_t k)
{
    static const unsigned counts[FW_TEST_NCOUNTS] = {1, 2, 4, 64, 300};
    return counts[k];
}

struct fw_test {
    struct fw_config cfg;
    struct fw_layout l;
    uint8_t *ram;
    char err[256];
};

static inline void fw_test_build_ids(struct fw_test *t, unsigned ncpus, const uint32_t *ids,
                                     enum fw_cpu_style style)
{
    memset(t, 0, sizeof *t);
    t->cfg = (struct fw_config){ncpus, ids, FW_TEST_RAM, style};
    t->ram = calloc(1, FW_TEST_RAM);
    cr_assert_not_null(t->ram);
    cr_assert_eq(fw_build(&t->cfg, t->ram, FW_TEST_RAM, &t->l, t->err, sizeof t->err), 0,
                 "fw_build(%u vCPUs): %s", ncpus, t->err);
}

static inline void fw_test_build(struct fw_test *t, unsigned ncpus)
{
    fw_test_build_ids(t, ncpus, NULL, FW_CPU_PROCESSOR);
}

static inline void fw_test_free(struct fw_test *t)
{
    free(t->ram);
}

static inline uint8_t fw_test_sum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + b[i]);
    return s;
}

#define FW_AT(t, blob) ((void *)((t)->ram + (blob).addr))

#endif
