/*
 * virtio_blk.c: virtio-mmio block device (see virtio_blk.h).
 */
#include "emu/dev/virtio_blk.h"

#include "emu/platform.h"

#include <string.h>

#define DESC_SIZE    16
#define REQ_HDR_SIZE 16 /* le32 type, le32 reserved, le64 sector */

static const uint64_t base_features =
    VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH;

/* ---- guest RAM, bounds-checked, little-endian ---- */

static uint8_t *gpa(struct virtio_blk *v, uint64_t addr, uint64_t len)
{
    return guest_ram_ptr(&v->ram, addr, len);
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < n; i++)
        r |= (uint64_t)p[i] << (8 * i);
    return r;
}

static void put_le(uint8_t *p, uint64_t val, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(val >> (8 * i));
}

static uint64_t features(const struct virtio_blk *v)
{
    return base_features | (v->be.read_only ? VIRTIO_BLK_F_RO : 0);
}

static void update_irq(struct virtio_blk *v)
{
    irq_set(&v->irq, v->int_status != 0);
}

static void reset(struct virtio_blk *v)
{
    v->status = v->int_status = 0;
    v->dev_features_sel = v->drv_features_sel = v->queue_sel = 0;
    v->driver_features = 0;
    v->queue_num = 0;
    v->queue_ready = false;
    v->desc = v->avail = v->used = 0;
    v->last_avail = 0;
    update_irq(v);
}

/* ---- requests ---- */

struct seg {
    uint64_t addr;
    uint32_t len;
    bool write; /* device-writable */
};

/* walk the chain at head into segs; the number of segments, or -1 if malformed */
static int walk_chain(struct virtio_blk *v, uint16_t head, struct seg *segs)
{
    unsigned n = 0;
    uint16_t i = head;
    for (;;) {
        if (i >= v->queue_num || n == v->queue_num)
            return -1; /* out of the table, or a loop */
        uint8_t *d = gpa(v, v->desc + (uint64_t)i * DESC_SIZE, DESC_SIZE);
        if (!d)
            return -1;
        uint16_t flags = (uint16_t)get_le(d + 12, 2);
        if (flags & VIRTQ_DESC_F_INDIRECT)
            return -1; /* not offered */
        segs[n++] = (struct seg){get_le(d, 8), (uint32_t)get_le(d + 8, 4),
                                 (flags & VIRTQ_DESC_F_WRITE) != 0};
        if (!(flags & VIRTQ_DESC_F_NEXT))
            return (int)n;
        i = (uint16_t)get_le(d + 14, 2);
    }
}

/* move data between the backend and the middle segments */
static uint8_t do_io(struct virtio_blk *v, uint32_t type, uint64_t sector, struct seg *segs,
                     int nsegs, uint32_t *written)
{
    for (int k = 1; k < nsegs - 1; k++) {
        struct seg *s = &segs[k];
        uint8_t *buf = gpa(v, s->addr, s->len);
        if (!buf || s->len % VIRTIO_BLK_SECTOR || s->write != (type == VIRTIO_BLK_T_IN))
            return VIRTIO_BLK_S_IOERR;
        uint64_t count = s->len / VIRTIO_BLK_SECTOR;
        if (sector > v->be.sectors || v->be.sectors - sector < count)
            return VIRTIO_BLK_S_IOERR;
        int r = type == VIRTIO_BLK_T_IN ? v->be.read(v->be.opaque, sector, buf, s->len)
                                        : v->be.write(v->be.opaque, sector, buf, s->len);
        if (r)
            return VIRTIO_BLK_S_IOERR;
        if (type == VIRTIO_BLK_T_IN)
            *written += s->len;
        sector += count;
    }
    return VIRTIO_BLK_S_OK;
}

/* serve one request (5.2.6.1); returns the bytes written into the chain */
static uint32_t serve(struct virtio_blk *v, uint16_t head)
{
    struct seg segs[VIRTIO_BLK_QUEUE_MAX];
    int n = walk_chain(v, head, segs);
    if (n < 2)
        return 0;
    struct seg *st = &segs[n - 1];
    uint8_t *status = st->write && st->len >= 1 ? gpa(v, st->addr + st->len - 1, 1) : NULL;
    if (!status)
        return 0; /* nowhere to say what happened */
    uint8_t *hdr =
        !segs[0].write && segs[0].len >= REQ_HDR_SIZE ? gpa(v, segs[0].addr, REQ_HDR_SIZE) : NULL;
    uint32_t written = 0;
    uint8_t result = VIRTIO_BLK_S_IOERR;
    if (hdr) {
        uint32_t type = (uint32_t)get_le(hdr, 4);
        uint64_t sector = get_le(hdr + 8, 8);
        if (type == VIRTIO_BLK_T_IN || (type == VIRTIO_BLK_T_OUT && !v->be.read_only))
            result = do_io(v, type, sector, segs, n, &written);
        else if (type == VIRTIO_BLK_T_OUT)
            result = VIRTIO_BLK_S_IOERR; /* read-only disk */
        else if (type == VIRTIO_BLK_T_FLUSH)
            result =
                !v->be.flush || !v->be.flush(v->be.opaque) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
        else
            result = VIRTIO_BLK_S_UNSUPP; /* GET_ID and the rest */
    }
    *status = result;
    return written + 1;
}

static void process_queue(struct virtio_blk *v)
{
    if (!v->queue_ready || !(v->status & VIRTIO_STATUS_DRIVER_OK))
        return;
    uint64_t n = v->queue_num;
    uint8_t *avail = gpa(v, v->avail, 4 + 2 * n + 2);
    uint8_t *used = gpa(v, v->used, 4 + 8 * n + 2);
    if (!avail || !used) {
        v->status |= VIRTIO_STATUS_NEEDS_RESET;
        return;
    }
    uint16_t avail_idx = (uint16_t)get_le(avail + 2, 2);
    uint16_t used_idx = (uint16_t)get_le(used + 2, 2);
    bool any = false;
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* read the ring after its index */
    for (unsigned guard = 0; v->last_avail != avail_idx && guard < n; guard++) {
        uint16_t head = (uint16_t)get_le(avail + 4 + 2 * (v->last_avail % n), 2);
        uint32_t len = serve(v, head);
        uint8_t *elem = used + 4 + 8 * (used_idx % n);
        put_le(elem, head, 4);
        put_le(elem + 4, len, 4);
        used_idx++;
        v->last_avail++;
        any = true;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the elements before the index */
    put_le(used + 2, used_idx, 2);
    if (any && !(get_le(avail, 2) & VIRTQ_AVAIL_F_NO_INTERRUPT)) {
        v->int_status |= VIRTIO_INT_USED;
        update_irq(v);
    }
}

/* ---- registers ---- */

static uint32_t config_read(const struct virtio_blk *v, uint64_t off, unsigned size)
{
    uint8_t cfg[24] = {0}; /* capacity, size_max, seg_max, geometry, blk_size (5.2.4) */
    put_le(cfg, v->be.sectors, 8);
    put_le(cfg + 12, VIRTIO_BLK_SEG_MAX, 4);
    put_le(cfg + 20, VIRTIO_BLK_SECTOR, 4);
    if (off >= sizeof cfg || sizeof cfg - off < size)
        return 0;
    return (uint32_t)get_le(cfg + off, size);
}

static uint64_t vblk_read(void *opaque, uint64_t offset, unsigned size)
{
    struct virtio_blk *v = opaque;
    uint64_t r = 0;
    spin_lock(&v->lock);
    if (offset >= VIRTIO_MMIO_CONFIG) {
        r = config_read(v, offset - VIRTIO_MMIO_CONFIG, size);
    } else if (size == 4) {
        switch (offset) {
        case VIRTIO_MMIO_MAGIC:
            r = VIRTIO_MMIO_MAGIC_VALUE;
            break;
        case VIRTIO_MMIO_VERSION:
            r = VIRTIO_MMIO_VERSION_2;
            break;
        case VIRTIO_MMIO_DEVICE_ID:
            r = VIRTIO_ID_BLOCK;
            break;
        case VIRTIO_MMIO_VENDOR_ID:
            r = VIRTIO_VENDOR_QEMU;
            break;
        case VIRTIO_MMIO_DEVICE_FEATURES:
            r = v->dev_features_sel < 2 ? (uint32_t)(features(v) >> (32 * v->dev_features_sel)) : 0;
            break;
        case VIRTIO_MMIO_QUEUE_NUM_MAX:
            r = v->queue_sel == 0 ? VIRTIO_BLK_QUEUE_MAX : 0;
            break;
        case VIRTIO_MMIO_QUEUE_READY:
            r = v->queue_sel == 0 && v->queue_ready;
            break;
        case VIRTIO_MMIO_INTERRUPT_STATUS:
            r = v->int_status;
            break;
        case VIRTIO_MMIO_STATUS:
            r = v->status;
            break;
        case VIRTIO_MMIO_CONFIG_GENERATION:
            r = 0;
            break;
        }
    }
    spin_unlock(&v->lock);
    return r;
}

static void set_status(struct virtio_blk *v, uint32_t s)
{
    if (s == 0) {
        reset(v);
        return;
    }
    /* 3.1.1: FEATURES_OK sticks only for a subset of ours that includes VERSION_1 */
    if ((s & VIRTIO_STATUS_FEATURES_OK) && !(v->status & VIRTIO_STATUS_FEATURES_OK) &&
        ((v->driver_features & ~features(v)) || !(v->driver_features & VIRTIO_F_VERSION_1)))
        s &= ~VIRTIO_STATUS_FEATURES_OK;
    v->status = s & 0xff;
}

static void set_half(uint64_t *reg, bool high, uint32_t value)
{
    *reg = high ? (*reg & 0xffffffffull) | (uint64_t)value << 32 : (*reg & ~0xffffffffull) | value;
}

static void vblk_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct virtio_blk *v = opaque;
    uint32_t val = (uint32_t)value;
    if (size != 4)
        return; /* 4.2.2.2: the driver uses 32-bit accesses (config space is read-only here) */
    spin_lock(&v->lock);
    bool q0 = v->queue_sel == 0, can_setup = q0 && !v->queue_ready;
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        v->dev_features_sel = val;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (v->drv_features_sel < 2 && !(v->status & VIRTIO_STATUS_FEATURES_OK))
            set_half(&v->driver_features, v->drv_features_sel == 1, val);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        v->drv_features_sel = val;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        v->queue_sel = val;
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        if (can_setup)
            v->queue_num = val;
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        if (q0) {
            /* a queue size must be a power of 2 no larger than QueueNumMax (2.6) */
            bool valid = v->queue_num && v->queue_num <= VIRTIO_BLK_QUEUE_MAX &&
                         !(v->queue_num & (v->queue_num - 1));
            v->queue_ready = (val & 1) && valid;
        }
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (val == 0)
            process_queue(v);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        v->int_status &= ~val;
        update_irq(v);
        break;
    case VIRTIO_MMIO_STATUS:
        set_status(v, val);
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        if (can_setup)
            set_half(&v->desc, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        if (can_setup)
            set_half(&v->avail, offset == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, val);
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        if (can_setup)
            set_half(&v->used, offset == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, val);
        break;
    }
    spin_unlock(&v->lock);
}

static const struct io_ops vblk_ops = {vblk_read, vblk_write};

int virtio_blk_register(struct virtio_blk *v, struct bus *bus)
{
    return bus_register_mmio(bus, PLAT_VIRTIO_MMIO_BASE, PLAT_VIRTIO_MMIO_SIZE, &vblk_ops, v);
}

void virtio_blk_init(struct virtio_blk *v, struct blk_backend be, struct irq_line irq,
                     const struct guest_ram *ram)
{
    memset(v, 0, sizeof *v);
    v->be = be;
    v->irq = irq;
    if (ram)
        v->ram = *ram;
    reset(v);
}
