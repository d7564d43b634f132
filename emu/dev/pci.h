/*
 * emu/dev/pci.h: PCI configuration mechanism #1 (PCI Local Bus 3.0,
 * 3.2.2.3.2) at ports 0xcf8 (address) and 0xcfc-0xcff (data), with one
 * device: the host bridge at 00:00.0, an Intel 440FX as QEMU's pc machine
 * has (vendor 0x8086, device 0x1237, class 0x060000). Every other function
 * reads all-ones. A byte access at 0xcf9 is the reset control register
 * (resetctl.h), which lives inside the address dword.
 *
 * The bridge's PAM registers (Intel 82441FX datasheet 3.2.18, PAM0-PAM6 at
 * 0x59-0x5f) say, per 16 KiB of 0xC0000-0xFFFFF (64 KiB for PAM0's
 * 0xF0000), whether reads and writes go to RAM: 2 bits each (bit 0 read
 * enable, bit 1 write enable), in the low and high nibble. They reset to 0
 * (everything to the ROM). A write that changes them calls pam_changed with
 * the rights per 16 KiB segment, under the lock (it must not take locks).
 *
 * Locking: one spinlock.
 */
#ifndef BAREMU_PCI_H
#define BAREMU_PCI_H

#include "emu/bus.h"
#include "emu/dev/resetctl.h"
#include "emu/lock.h"

#include <stdint.h>

#define PCI_CONFIG_PORTS     8
#define PCI_CONFIG_ENABLE    0x80000000u
#define PCI_CONFIG_ADDR_MASK 0x80fffffcu /* enable, bus, device, function, dword register */
#define PCI_CFG_SIZE         256

/* configuration header (PCI 3.0 6.1) */
#define PCI_VENDOR_ID     0x00
#define PCI_DEVICE_ID     0x02
#define PCI_COMMAND       0x04
#define PCI_REVISION      0x08
#define PCI_CLASS_PROG    0x09
#define PCI_HEADER_TYPE   0x0e
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID     0x2e

#define PCI_VENDOR_INTEL      0x8086
#define PCI_DEVICE_I440FX     0x1237
#define PCI_CLASS_HOST_BRIDGE 0x060000
#define PCI_VENDOR_QEMU       0x1af4 /* QEMU's subsystem IDs, as its i440FX has */
#define PCI_SUBSYS_QEMU       0x1100

#define PCI_I440FX_PAM0 0x59 /* PAM0: bits 5:4 for 0xF0000-0xFFFFF; PAM1..6 follow */
#define PCI_I440FX_PAMS 7
#define PCI_PAM_SEGS    16 /* 16 KiB segments of 0xC0000-0xFFFFF */

struct pci_host {
    struct spinlock lock;
    uint32_t address;
    uint8_t bridge[PCI_CFG_SIZE];
    struct resetctl *reset; /* 0xcf9, or NULL */
    /* the PAM registers changed: rights[k] for 0xC0000 + k * 16 KiB (bit 0
     * read, bit 1 write to RAM); NULL: nobody listens */
    void (*pam_changed)(void *opaque, const uint8_t rights[PCI_PAM_SEGS]);
    void *pam_opaque;
};

/* the rights per 16 KiB segment that the PAM registers pam[0..6] give */
void pci_pam_rights(const uint8_t pam[PCI_I440FX_PAMS], uint8_t rights[PCI_PAM_SEGS]);

void pci_host_init(struct pci_host *p, struct resetctl *reset);
int pci_host_register(struct pci_host *p, struct bus *bus);

#endif
