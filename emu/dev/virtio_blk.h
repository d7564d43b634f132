/*
 * emu/dev/virtio_blk.h: a virtio-mmio block device at 0xfeb00000, IRQ 10.
 *
 * Follows Virtual I/O Device (VIRTIO) 1.1: 4.2.2 (the MMIO register layout,
 * version 2), 2.6 (split virtqueues) and 5.2 (block device). One request
 * queue of up to VIRTIO_BLK_QUEUE_MAX entries; features VERSION_1, SEG_MAX,
 * BLK_SIZE, FLUSH, and RO for a read-only backend. Requests run at once, on
 * the vCPU that writes QueueNotify (XXX: synchronous I/O), through a
 * struct blk_backend the machine supplies (host block I/O).
 *
 * Every guest value is checked: descriptor addresses and lengths against
 * guest RAM (struct guest_ram: below the hole and above 4 GiB; a buffer
 * must lie within one part), chains against the queue size, indices
 * modulo it. A malformed chain completes with VIRTIO_BLK_S_IOERR when it has
 * a status byte, and is skipped when it has not.
 *
 * The interrupt line is the InterruptStatus register: asserted while it is
 * non-zero, cleared by InterruptACK.
 *
 * Locking: one spinlock; the backend is called under it.
 */
#ifndef BAREMU_VIRTIO_BLK_H
#define BAREMU_VIRTIO_BLK_H

#include "emu/bus.h"
#include "emu/lock.h"
#include "emu/ram.h"

#include <stdint.h>

/* MMIO registers (4.2.2) */
#define VIRTIO_MMIO_MAGIC               0x000
#define VIRTIO_MMIO_VERSION             0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION_2   2
#define VIRTIO_ID_BLOCK         2
#define VIRTIO_VENDOR_QEMU      0x554d4551u /* "QEMU" */

/* device status (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128

#define VIRTIO_INT_USED   1
#define VIRTIO_INT_CONFIG 2

/* features (5.2.3, 6) */
#define VIRTIO_BLK_F_SEG_MAX  (1ull << 2)
#define VIRTIO_BLK_F_RO       (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)
#define VIRTIO_BLK_F_FLUSH    (1ull << 9)
#define VIRTIO_F_VERSION_1    (1ull << 32)

/* split virtqueue (2.6) */
#define VIRTQ_DESC_F_NEXT          1
#define VIRTQ_DESC_F_WRITE         2
#define VIRTQ_DESC_F_INDIRECT      4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/* requests (5.2.6) */
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20

#define VIRTIO_BLK_SECTOR    512
#define VIRTIO_BLK_QUEUE_MAX 256
#define VIRTIO_BLK_SEG_MAX   (VIRTIO_BLK_QUEUE_MAX - 2)

/* where the sectors live; 0 or -1 from each call */
struct blk_backend {
    int (*read)(void *opaque, uint64_t sector, void *buf, uint32_t bytes);
    int (*write)(void *opaque, uint64_t sector, const void *buf, uint32_t bytes);
    int (*flush)(void *opaque);
    uint64_t sectors;
    bool read_only;
    void *opaque;
};

struct virtio_blk {
    struct spinlock lock;
    struct blk_backend be;
    struct irq_line irq;
    struct guest_ram ram;
    uint32_t status, int_status;
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
    uint64_t driver_features;
    uint32_t queue_num;
    bool queue_ready;
    uint64_t desc, avail, used;
    uint16_t last_avail;
};

/* ram: where the rings and buffers live; NULL for none */
void virtio_blk_init(struct virtio_blk *v, struct blk_backend be, struct irq_line irq,
                     const struct guest_ram *ram);
int virtio_blk_register(struct virtio_blk *v, struct bus *bus);

#endif
