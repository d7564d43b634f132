/*
 * emu/dev/pci.h: PCI configuration mechanism #1 (PCI Local Bus 3.0,
 * 3.2.2.3.2) at ports 0xcf8 (address) and 0xcfc-0xcff (data), with one
 * device: the host bridge at 00:00.0, an Intel 440FX as QEMU's pc machine
 * has (vendor 0x8086, device 0x1237, class 0x060000). Every other function
 * reads all-ones. A byte access at 0xcf9 is the reset control register
 * (resetctl.h), which lives inside the address dword.
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

struct pci_host {
    struct spinlock lock;
    uint32_t address;
    uint8_t bridge[PCI_CFG_SIZE];
    struct resetctl *reset; /* 0xcf9, or NULL */
};

void pci_host_init(struct pci_host *p, struct resetctl *reset);
int pci_host_register(struct pci_host *p, struct bus *bus);

#endif
