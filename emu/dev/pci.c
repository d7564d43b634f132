/*
 * pci.c: configuration mechanism #1 and the host bridge (see pci.h).
 */
#include "emu/dev/pci.h"

#include "emu/platform.h"

#include <string.h>

#define CF9_OFFSET           1    /* 0xcf9 - 0xcf8 */
#define DATA_OFFSET          4    /* 0xcfc - 0xcf8 */
#define PCI_COMMAND_WRITABLE 0x07 /* I/O, memory, bus master (the rest is fixed) */
#define PCI_LATENCY_TIMER    0x0d

/* writable bits of the host bridge's configuration bytes */
static uint8_t bridge_writable(unsigned reg)
{
    switch (reg) {
    case PCI_COMMAND:
        return PCI_COMMAND_WRITABLE;
    case PCI_LATENCY_TIMER:
        return 0xff;
    case PCI_I440FX_PAM0:
        return 0x30; /* the low nibble is reserved */
    }
    if (reg > PCI_I440FX_PAM0 && reg < PCI_I440FX_PAM0 + PCI_I440FX_PAMS)
        return 0x33;
    return 0;
}

#define PAM_SEG_F0000 12 /* PAM0 covers segments 12-15: 0xF0000-0xFFFFF */

void pci_pam_rights(const uint8_t pam[PCI_I440FX_PAMS], uint8_t rights[PCI_PAM_SEGS])
{
    for (unsigned k = 0; k < PAM_SEG_F0000; k++) /* PAM1 lo: 0xC0000, PAM1 hi: 0xC4000, ... */
        rights[k] = (uint8_t)((pam[1 + k / 2] >> (k & 1 ? 4 : 0)) & 3);
    for (unsigned k = PAM_SEG_F0000; k < PCI_PAM_SEGS; k++)
        rights[k] = (uint8_t)((pam[0] >> 4) & 3);
}

/* the configuration byte at reg of the selected function; ~0 for none */
static int config_byte(struct pci_host *p, unsigned reg)
{
    uint32_t a = p->address;
    if (!(a & PCI_CONFIG_ENABLE) || (a & 0x00ffff00u) != 0)
        return -1; /* only bus 0, device 0, function 0 */
    return p->bridge[(reg + (a & 0xfc)) & 0xff];
}

static uint64_t pci_read(void *opaque, uint64_t offset, unsigned size)
{
    struct pci_host *p = opaque;
    uint64_t v = 0;
    if (offset == CF9_OFFSET && size == 1 && p->reset)
        return resetctl_cf9_read(p->reset);
    spin_lock(&p->lock);
    if (offset == 0 && size == 4) {
        v = p->address;
    } else if (offset >= DATA_OFFSET) {
        for (unsigned i = 0; i < size; i++) {
            int b = config_byte(p, (unsigned)(offset - DATA_OFFSET + i));
            v |= (uint64_t)(b < 0 ? 0xff : (unsigned)b) << (8 * i);
        }
    } else {
        v = ~0ull; /* XXX: narrow accesses to the address register read all-ones */
    }
    spin_unlock(&p->lock);
    return v;
}

static void pci_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct pci_host *p = opaque;
    if (offset == CF9_OFFSET && size == 1) {
        if (p->reset)
            resetctl_cf9_write(p->reset, (uint8_t)value);
        return;
    }
    uint8_t pam_old[PCI_I440FX_PAMS], pam_new[PCI_I440FX_PAMS];
    spin_lock(&p->lock);
    memcpy(pam_old, p->bridge + PCI_I440FX_PAM0, sizeof pam_old);
    if (offset == 0 && size == 4) {
        p->address = (uint32_t)value & PCI_CONFIG_ADDR_MASK;
    } else if (offset >= DATA_OFFSET && (p->address & PCI_CONFIG_ENABLE) &&
               !(p->address & 0x00ffff00u)) {
        for (unsigned i = 0; i < size; i++) {
            unsigned reg = (unsigned)((offset - DATA_OFFSET + i + (p->address & 0xfc)) & 0xff);
            uint8_t w = bridge_writable(reg), b = (uint8_t)(value >> (8 * i));
            p->bridge[reg] = (uint8_t)((p->bridge[reg] & ~w) | (b & w));
        }
    }
    memcpy(pam_new, p->bridge + PCI_I440FX_PAM0, sizeof pam_new);
    if (p->pam_changed && memcmp(pam_old, pam_new, sizeof pam_new)) {
        uint8_t rights[PCI_PAM_SEGS];
        pci_pam_rights(pam_new, rights);
        p->pam_changed(p->pam_opaque, rights); /* under the lock: changes stay in order */
    }
    spin_unlock(&p->lock);
}

static const struct io_ops pci_ops = {pci_read, pci_write};

int pci_host_register(struct pci_host *p, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_PCI_CONFIG, PCI_CONFIG_PORTS, &pci_ops, p);
}

static void put16(uint8_t *cfg, unsigned reg, uint16_t v)
{
    cfg[reg] = (uint8_t)v;
    cfg[reg + 1] = (uint8_t)(v >> 8);
}

void pci_host_init(struct pci_host *p, struct resetctl *reset)
{
    memset(p, 0, sizeof *p);
    p->reset = reset;
    put16(p->bridge, PCI_VENDOR_ID, PCI_VENDOR_INTEL);
    put16(p->bridge, PCI_DEVICE_ID, PCI_DEVICE_I440FX);
    p->bridge[PCI_REVISION] = 0x02;
    p->bridge[PCI_CLASS_PROG] = PCI_CLASS_HOST_BRIDGE & 0xff;
    put16(p->bridge, PCI_CLASS_PROG + 1, PCI_CLASS_HOST_BRIDGE >> 8);
    p->bridge[PCI_HEADER_TYPE] = 0;
    put16(p->bridge, PCI_SUBSYS_VENDOR, PCI_VENDOR_QEMU);
    put16(p->bridge, PCI_SUBSYS_ID, PCI_SUBSYS_QEMU);
}
