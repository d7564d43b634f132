/*
 * test_virtio_blk.c: the virtio-mmio block device (emu/dev/virtio_blk.h),
 * driven as Linux's virtio_mmio and virtio_blk drivers drive it, against a
 * disk in memory.
 */
#include "emu/dev/virtio_blk.h"
#include "emu/platform.h"

#include <criterion/criterion.h>
#include <string.h>

#define SECTORS 64
#define QSIZE   8
#define DESC    0x1000
#define AVAIL   0x2000
#define USED    0x3000
#define HDR     0x4000
#define DATA    0x5000
#define STATUS  0x8000

static struct bus B;
static struct virtio_blk V;
static uint8_t ram[64 * 1024];
static uint8_t disk[SECTORS * VIRTIO_BLK_SECTOR];
static int irq_level;
static unsigned flushes;

static int disk_read(void *opaque, uint64_t sector, void *buf, uint32_t bytes)
{
    (void)opaque;
    memcpy(buf, disk + sector * VIRTIO_BLK_SECTOR, bytes);
    return 0;
}

static int disk_write(void *opaque, uint64_t sector, const void *buf, uint32_t bytes)
{
    (void)opaque;
    memcpy(disk + sector * VIRTIO_BLK_SECTOR, buf, bytes);
    return 0;
}

static int disk_flush(void *opaque)
{
    (void)opaque;
    flushes++;
    return 0;
}

static void set_irq(void *opaque, unsigned line, int level)
{
    (void)opaque;
    cr_assert_eq(line, PLAT_IRQ_VIRTIO_BLK);
    irq_level = level;
}

static uint32_t rd(unsigned reg)
{
    return (uint32_t)bus_mmio_read(&B, NULL, PLAT_VIRTIO_MMIO_BASE + reg, 4);
}

static void wr(unsigned reg, uint32_t v)
{
    bus_mmio_write(&B, NULL, PLAT_VIRTIO_MMIO_BASE + reg, v, 4);
}

static void setup_with(bool read_only)
{
    bus_init(&B);
    memset(ram, 0, sizeof ram);
    for (unsigned i = 0; i < sizeof disk; i++)
        disk[i] = (uint8_t)(i / VIRTIO_BLK_SECTOR);
    irq_level = 0;
    flushes = 0;
    struct blk_backend be = {disk_read, disk_write, disk_flush, SECTORS, read_only, NULL};
    virtio_blk_init(&V, be, (struct irq_line){set_irq, NULL, PLAT_IRQ_VIRTIO_BLK},
                    &(struct guest_ram){ram, sizeof ram, NULL, 0});
    cr_assert_eq(virtio_blk_register(&V, &B), 0);
}

/* the driver's bring-up (3.1.1 and 4.2.3.2) */
static void bring_up(void)
{
    wr(VIRTIO_MMIO_STATUS, 0);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)VIRTIO_BLK_F_FLUSH);
    wr(VIRTIO_MMIO_STATUS,
       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    cr_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
    wr(VIRTIO_MMIO_QUEUE_SEL, 0);
    cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_BLK_QUEUE_MAX);
    wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
    wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                               VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void put16(uint64_t at, uint16_t v)
{
    memcpy(ram + at, &v, 2);
}

static uint16_t get16(uint64_t at)
{
    uint16_t v;
    memcpy(&v, ram + at, 2);
    return v;
}

static uint32_t get32(uint64_t at)
{
    uint32_t v;
    memcpy(&v, ram + at, 4);
    return v;
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t *d = ram + DESC + 16 * i;
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

/* a three-descriptor request at descriptors 0-2, published in the avail ring */
static void request(uint32_t type, uint64_t sector, uint32_t len)
{
    memcpy(ram + HDR, &type, 4);
    memcpy(ram + HDR + 8, &sector, 8);
    ram[STATUS] = 0xff;
    desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
    desc(1, DATA, len, VIRTQ_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0), 2);
    desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
    uint16_t idx = get16(AVAIL + 2);
    put16(AVAIL + 4 + 2 * (idx % QSIZE), 0);
    put16(AVAIL + 2, (uint16_t)(idx + 1));
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

Test(virtio_blk, identity_and_config)
{
    setup_with(false);
    cr_assert_eq(rd(VIRTIO_MMIO_MAGIC), VIRTIO_MMIO_MAGIC_VALUE);
    cr_assert_eq(rd(VIRTIO_MMIO_VERSION), 2);
    cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
    cr_assert_eq(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_VENDOR_QEMU);
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1, "VERSION_1");
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES),
                 (uint32_t)(VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH));
    cr_assert_eq(rd(VIRTIO_MMIO_CONFIG), SECTORS, "capacity, low half");
    cr_assert_eq(rd(VIRTIO_MMIO_CONFIG + 4), 0);
    cr_assert_eq(rd(VIRTIO_MMIO_CONFIG + 20), VIRTIO_BLK_SECTOR, "blk_size");
}

Test(virtio_blk, features_ok_needs_version_1)
{
    setup_with(false);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)VIRTIO_BLK_F_FLUSH);
    wr(VIRTIO_MMIO_STATUS,
       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    cr_assert_not(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, "legacy drivers refused");
}

Test(virtio_blk, read_round_trip)
{
    setup_with(false);
    bring_up();
    request(VIRTIO_BLK_T_IN, 3, 2 * VIRTIO_BLK_SECTOR);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_OK);
    cr_assert_eq(ram[DATA], 3);
    cr_assert_eq(ram[DATA + VIRTIO_BLK_SECTOR], 4);
    cr_assert_eq(get16(USED + 2), 1, "used idx");
    cr_assert_eq(get32(USED + 4), 0, "head");
    cr_assert_eq(get32(USED + 8), 2 * VIRTIO_BLK_SECTOR + 1, "bytes written");
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_USED);
    wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_USED);
    cr_assert_eq(irq_level, 0);
}

Test(virtio_blk, write_round_trip_and_flush)
{
    setup_with(false);
    bring_up();
    memset(ram + DATA, 0xab, VIRTIO_BLK_SECTOR);
    request(VIRTIO_BLK_T_OUT, 10, VIRTIO_BLK_SECTOR);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_OK);
    cr_assert_eq(disk[10 * VIRTIO_BLK_SECTOR], 0xab);
    cr_assert_eq(disk[11 * VIRTIO_BLK_SECTOR], 11, "only that sector");
    memset(ram + DATA, 0, VIRTIO_BLK_SECTOR);
    request(VIRTIO_BLK_T_IN, 10, VIRTIO_BLK_SECTOR);
    cr_assert_eq(ram[DATA + 17], 0xab);
    /* flush: header and status only */
    uint32_t type = VIRTIO_BLK_T_FLUSH;
    memcpy(ram + HDR, &type, 4);
    desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 2);
    desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
    uint16_t idx = get16(AVAIL + 2);
    put16(AVAIL + 4 + 2 * (idx % QSIZE), 0);
    put16(AVAIL + 2, (uint16_t)(idx + 1));
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    cr_assert_eq(flushes, 1);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_OK);
    cr_assert_eq(get16(USED + 2), 3);
}

Test(virtio_blk, errors)
{
    setup_with(true);
    bring_up();
    request(VIRTIO_BLK_T_OUT, 0, VIRTIO_BLK_SECTOR);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_IOERR, "read-only disk");
    request(VIRTIO_BLK_T_IN, SECTORS - 1, 2 * VIRTIO_BLK_SECTOR);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_IOERR, "past the end");
    request(VIRTIO_BLK_T_IN, 0, 100);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_IOERR, "not whole sectors");
    request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_SECTOR);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_UNSUPP);
    cr_assert_eq(get16(USED + 2), 4, "every request completes");
}

Test(virtio_blk, hostile_rings_never_crash)
{
    setup_with(false);
    bring_up();
    /* a descriptor chain that loops */
    desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
    desc(1, DATA, 512, VIRTQ_DESC_F_NEXT, 0);
    put16(AVAIL + 4, 0);
    put16(AVAIL + 2, 1);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    cr_assert_eq(get16(USED + 2), 1);
    /* descriptors and buffers outside RAM, a head past the table */
    desc(0, 0xffffffffffff0000ull, 16, VIRTQ_DESC_F_NEXT, 1);
    desc(1, DATA, 0xffffffffu, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
    desc(2, sizeof ram, 1, VIRTQ_DESC_F_WRITE, 0);
    put16(AVAIL + 4 + 2, 0);
    put16(AVAIL + 4 + 4, 200);
    put16(AVAIL + 2, 3);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    cr_assert_eq(get16(USED + 2), 3);
    /* a huge avail index: at most one lap is served */
    put16(AVAIL + 2, 3 + 1000);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    cr_assert_eq(get16(USED + 2), 3 + QSIZE);
}

Test(virtio_blk, queue_setup_rules)
{
    setup_with(false);
    wr(VIRTIO_MMIO_QUEUE_NUM, 3);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0, "not a power of 2");
    wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0, "one queue");
    bring_up();
    wr(VIRTIO_MMIO_STATUS, 0);
    cr_assert_eq(rd(VIRTIO_MMIO_STATUS), 0);
    cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0, "reset");
}

/* a buffer in RAM above 4 GiB is reached; one running into the hole is an I/O error */
Test(virtio_blk, buffer_above_4g)
{
    static uint8_t high[4096];
    setup_with(false);
    memset(high, 0, sizeof high);
    struct blk_backend be = {disk_read, disk_write, disk_flush, SECTORS, false, NULL};
    virtio_blk_init(&V, be, (struct irq_line){set_irq, NULL, PLAT_IRQ_VIRTIO_BLK},
                    &(struct guest_ram){ram, sizeof ram, high, sizeof high});
    bring_up();
    uint32_t type = VIRTIO_BLK_T_IN;
    uint64_t sector = 5;
    memcpy(ram + HDR, &type, 4);
    memcpy(ram + HDR + 8, &sector, 8);
    ram[STATUS] = 0xff;
    desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
    desc(1, PLAT_RAM_ABOVE_4G + 0x200, VIRTIO_BLK_SECTOR, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
         2);
    desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
    put16(AVAIL + 4, 0);
    put16(AVAIL + 2, 1);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_OK);
    cr_assert_eq(high[0x200], 5, "sector 5 at 4 GiB + 512");
    cr_assert_eq(high[0x200 + VIRTIO_BLK_SECTOR - 1], 5);

    ram[STATUS] = 0xff;
    desc(1, PLAT_RAM_ABOVE_4G + sizeof high - 256, VIRTIO_BLK_SECTOR,
         VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
    put16(AVAIL + 6, 0);
    put16(AVAIL + 2, 2);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    cr_assert_eq(ram[STATUS], VIRTIO_BLK_S_IOERR, "past the end of high RAM");
}
