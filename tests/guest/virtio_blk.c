/*
 * virtio_blk: a virtio-mmio block device driven from a guest as VIRTIO 1.1
 * says (4.2.2 the MMIO registers, version 2; 3.1.1 driver initialization;
 * 2.6 split virtqueues; 5.2 the block device), against a disk image the
 * runner labels (tests.list disk=): sector n of the first 64 begins
 * "baremu disk sector NNNNN".
 *
 *   - the device is found among the virtio-mmio transports at 0xfeb00000
 *     (magic "virt", version 2, device ID 2) and its capacity is the image's;
 *   - feature negotiation: FEATURES_OK holds with VERSION_1 (and FLUSH);
 *   - reads of one and of several sectors give the labels; a write then a
 *     read gives the data back, in another buffer; a flush succeeds; a
 *     request past the end fails with IOERR;
 *   - every completion interrupts through one I/O APIC pin, routed to the
 *     last CPU: InterruptStatus says "used buffer", InterruptACK clears it.
 *     The pin is found by routing every free one and seeing which fires
 *     (baremu: ISA IRQ 10; QEMU's microvm: its transport's own).
 * On bare metal the disk is a boot module in RAM; writes stay there.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/irq.h"
#include "rt/smp.h"

#define VIRTIO_BASE       0xfeb00000u
#define VIRTIO_STRIDE     0x200u
#define VIRTIO_TRANSPORTS 32
#define VIRTIO_MAGIC      0x74726976u /* "virt" */
#define VIRTIO_ID_BLOCK   2

/* MMIO registers (4.2.2) */
#define REG_MAGIC         0x000
#define REG_VERSION       0x004
#define REG_DEVICE_ID     0x008
#define REG_DEV_FEAT      0x010
#define REG_DEV_FEAT_SEL  0x014
#define REG_DRV_FEAT      0x020
#define REG_DRV_FEAT_SEL  0x024
#define REG_QUEUE_SEL     0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM     0x038
#define REG_QUEUE_READY   0x044
#define REG_QUEUE_NOTIFY  0x050
#define REG_INT_STATUS    0x060
#define REG_INT_ACK       0x064
#define REG_STATUS        0x070
#define REG_DESC_LO       0x080
#define REG_DESC_HI       0x084
#define REG_DRIVER_LO     0x090
#define REG_DRIVER_HI     0x094
#define REG_DEVICE_LO     0x0a0
#define REG_DEVICE_HI     0x0a4
#define REG_CONFIG        0x100

#define ST_ACK       1
#define ST_DRIVER    2
#define ST_DRIVER_OK 4
#define ST_FEAT_OK   8
#define F_FLUSH      (1u << 9)
#define F_VERSION_1  1u /* bit 32: bit 0 of the second word */
#define INT_USED     1

#define QSIZE      8
#define DESC_NEXT  1
#define DESC_WRITE 2
#define T_IN       0
#define T_OUT      1
#define T_FLUSH    4
#define S_OK       0
#define S_IOERR    1
#define SECTOR     512
#define LABELED    64
#define VEC_DISK   0x70
#define VEC_PROBE  0x80 /* + pin, while looking for the device's pin */
#define WAIT_MS    3000

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
} __attribute__((packed));

struct req_hdr {
    uint32_t type, reserved;
    uint64_t sector;
} __attribute__((packed));

static struct desc ring_desc[QSIZE] __attribute__((aligned(16)));
static struct {
    uint16_t flags, idx, ring[QSIZE], used_event;
} avail __attribute__((aligned(2)));
static struct {
    uint16_t flags, idx;
    struct {
        uint32_t id, len;
    } ring[QSIZE];
    uint16_t avail_event;
} used __attribute__((aligned(4)));
static struct req_hdr hdr;
static volatile uint8_t status_byte;
static uint8_t buf[8 * SECTOR], back[8 * SECTOR];

static uintptr_t dev;
static unsigned pin;
static uint32_t target;
static volatile uint32_t completions, int_status_seen, stop;
static uint32_t requests;
static volatile uint32_t probe_hits[24];

static uint32_t rd(uint32_t reg)
{
    return mmio_read32(dev + reg);
}
static void wr(uint32_t reg, uint32_t v)
{
    mmio_write32(dev + reg, v);
}

static bool find_device(void)
{
    for (unsigned i = 0; i < VIRTIO_TRANSPORTS; i++) {
        uintptr_t b = VIRTIO_BASE + i * VIRTIO_STRIDE;
        if (mmio_read32(b + REG_MAGIC) == VIRTIO_MAGIC &&
            mmio_read32(b + REG_DEVICE_ID) == VIRTIO_ID_BLOCK) {
            dev = b;
            return true;
        }
    }
    return false;
}

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, the queue, DRIVER_OK */
static bool bring_up(uint32_t *feat_lo)
{
    wr(REG_STATUS, 0);
    wr(REG_STATUS, ST_ACK);
    wr(REG_STATUS, ST_ACK | ST_DRIVER);
    wr(REG_DEV_FEAT_SEL, 0);
    *feat_lo = rd(REG_DEV_FEAT);
    wr(REG_DEV_FEAT_SEL, 1);
    uint32_t hi = rd(REG_DEV_FEAT);
    wr(REG_DRV_FEAT_SEL, 0);
    wr(REG_DRV_FEAT, *feat_lo & F_FLUSH);
    wr(REG_DRV_FEAT_SEL, 1);
    wr(REG_DRV_FEAT, hi & F_VERSION_1);
    wr(REG_STATUS, ST_ACK | ST_DRIVER | ST_FEAT_OK);
    if (!(hi & F_VERSION_1) || !(rd(REG_STATUS) & ST_FEAT_OK))
        return false;
    wr(REG_QUEUE_SEL, 0);
    if (rd(REG_QUEUE_NUM_MAX) < QSIZE)
        return false;
    wr(REG_QUEUE_NUM, QSIZE);
    wr(REG_DESC_LO, (uint32_t)(uintptr_t)ring_desc);
    wr(REG_DESC_HI, 0);
    wr(REG_DRIVER_LO, (uint32_t)(uintptr_t)&avail);
    wr(REG_DRIVER_HI, 0);
    wr(REG_DEVICE_LO, (uint32_t)(uintptr_t)&used);
    wr(REG_DEVICE_HI, 0);
    wr(REG_QUEUE_READY, 1);
    wr(REG_STATUS, ST_ACK | ST_DRIVER | ST_FEAT_OK | ST_DRIVER_OK);
    return rd(REG_QUEUE_READY) == 1 && (rd(REG_STATUS) & ST_DRIVER_OK);
}

/*
 * One request: header, optional data, status. Done when the device has put
 * it in the used ring (2.6.8) and its interrupt, which may come later and on
 * another CPU, was taken.
 */
static uint8_t request(uint32_t type, uint64_t sector, void *data, uint32_t len)
{
    hdr = (struct req_hdr){type, 0, sector};
    status_byte = 0xff;
    unsigned n = 0;
    ring_desc[n] = (struct desc){(uintptr_t)&hdr, sizeof hdr, DESC_NEXT, (uint16_t)(n + 1)};
    n++;
    if (len) {
        ring_desc[n] = (struct desc){(uintptr_t)data, len,
                                     (uint16_t)(DESC_NEXT | (type == T_IN ? DESC_WRITE : 0)),
                                     (uint16_t)(n + 1)};
        n++;
    }
    ring_desc[n] = (struct desc){(uintptr_t)&status_byte, 1, DESC_WRITE, 0};
    uint16_t used_before = __atomic_load_n(&used.idx, __ATOMIC_ACQUIRE);
    requests++;
    avail.ring[avail.idx % QSIZE] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the entry before the index (2.6.13) */
    avail.idx++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wr(REG_QUEUE_NOTIFY, 0);
    uint64_t end = tsc_after_ms(WAIT_MS);
    while (__atomic_load_n(&used.idx, __ATOMIC_ACQUIRE) == used_before && rdtsc() < end)
        cpu_pause();
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the status after the used index */
    /* and its interrupt, before the next request: two completions before an
     * acknowledge would share one interrupt (the line simply stays up) */
    wait_at_least(&completions, requests, WAIT_MS);
    return status_byte;
}

static void disk_handler(uint8_t vector, struct trap_frame *f)
{
    (void)vector, (void)f;
    uint32_t s = rd(REG_INT_STATUS);
    int_status_seen |= s;
    wr(REG_INT_ACK, s);
    __atomic_add_fetch(&completions, 1, __ATOMIC_SEQ_CST);
    lapic_eoi();
}

static void probe_handler(uint8_t vector, struct trap_frame *f)
{
    (void)f;
    probe_hits[vector - VEC_PROBE]++;
    wr(REG_INT_ACK, rd(REG_INT_STATUS));
    __atomic_add_fetch(&completions, 1, __ATOMIC_SEQ_CST);
    lapic_eoi();
}

static void listen(void *arg)
{
    (void)arg;
    irq_enable();
    while (!stop)
        cpu_pause();
    irq_disable();
}

static bool label_is(const uint8_t *p, unsigned sector)
{
    char want[32];
    snprintf(want, sizeof want, "baremu disk sector %05u", sector);
    return memcmp(p, want, strlen(want)) == 0;
}

/* route every pin no ISA device of ours uses, send a request, see which fires */
static bool find_pin(void)
{
    for (unsigned p = 3; p < 24; p++) {
        if (p == plat.isa_gsi[0] || p == plat.isa_gsi[8])
            continue;
        irq_install((uint8_t)(VEC_PROBE + p), probe_handler);
        ioapic_set(p, (VEC_PROBE + p) | IORED_DEST(target));
    }
    completions = requests = 0;
    uint8_t st = request(T_IN, 0, buf, SECTOR);
    delay_ms(20);
    unsigned hits = 0;
    for (unsigned p = 3; p < 24; p++) {
        ioapic_mask(p);
        if (probe_hits[p]) {
            hits++;
            pin = p;
        }
    }
    tap_diag("the device interrupts on I/O APIC pin %u", pin);
    return st == S_OK && hits == 1;
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    tap_plan(10);
    unsigned up = smp_boot_workers(plat.ncpus);
    target = plat.apic_id[plat.ncpus - 1];
    stop = 0;
    if (target != plat.apic_id[0])
        smp_call_async(target, listen, NULL);
    irq_enable(); /* the BSP waits with interrupts on, though they go to the target */
    if (!find_device())
        tap_bail("no virtio-mmio block device at 0x%x..", VIRTIO_BASE);
    tap_ok(rd(REG_VERSION) == 2 && up + 1 == plat.ncpus,
           "virtio-mmio block device at 0x%x, version 2 (%u APs up)", (unsigned)dev, up);
    uint32_t cap_lo = rd(REG_CONFIG), cap_hi = rd(REG_CONFIG + 4);
    tap_ok(cap_hi == 0 && cap_lo >= LABELED, "capacity %u sectors", cap_lo);
    uint32_t feat;
    tap_ok(bring_up(&feat),
           "VERSION_1 negotiated (FEATURES_OK holds), queue of %u ready, DRIVER_OK", QSIZE);

    irq_install(VEC_DISK, disk_handler);
    tap_ok(find_pin(), "each completion interrupts through exactly one I/O APIC pin");
    ioapic_set(pin, VEC_DISK | IORED_DEST(target));

    completions = requests = 0;
    int_status_seen = 0;
    uint8_t st = request(T_IN, 3, buf, SECTOR);
    tap_ok(st == S_OK && label_is(buf, 3), "read sector 3: status %u, its label", st);
    st = request(T_IN, 10, buf, 4 * SECTOR);
    bool labels = true;
    for (unsigned i = 0; i < 4; i++)
        labels &= label_is(buf + i * SECTOR, 10 + i);
    tap_ok(st == S_OK && labels, "read sectors 10-13 in one request: status %u, all four labels",
           st);

    for (unsigned i = 0; i < 2 * SECTOR; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    st = request(T_OUT, 100, buf, 2 * SECTOR);
    uint8_t st2 = request(T_IN, 100, back, 2 * SECTOR);
    tap_ok(st == S_OK && st2 == S_OK && memcmp(buf, back, 2 * SECTOR) == 0,
           "write sectors 100-101, read them back into another buffer: the same bytes");
    st = request(T_IN, 3, back, SECTOR);
    tap_ok(st == S_OK && label_is(back, 3), "sector 3 is untouched by the write");
    st = (feat & F_FLUSH) ? request(T_FLUSH, 0, NULL, 0) : S_OK;
    st2 = request(T_IN, cap_lo, buf, SECTOR);
    tap_ok(st == S_OK && st2 == S_IOERR, "flush: status %u; a read past the end: IOERR (%u)", st,
           st2);
    wait_at_least(&completions, requests,
                  WAIT_MS); /* the last one may still be on its way to the AP */
    delay_ms(20);
    irq_disable();
    tap_ok(completions == requests && (int_status_seen & INT_USED) && rd(REG_INT_STATUS) == 0 &&
               irq_count(target, VEC_DISK) == requests,
           "%u requests, as many interrupts on APIC %u, each a used-buffer notification, "
           "acknowledged (%u)",
           requests, target, completions);
    ioapic_mask(pin);
    stop = 1;
    tap_done();
}
