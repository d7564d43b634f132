/* port i/o and other single instructions the runtime needs */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void cpu_pause(void)
{
    __asm__ volatile("pause");
}

/*
 * A pointer to a fixed physical address (paging is off: physical equals
 * linear). The empty asm hides the constant from gcc 12, which otherwise
 * treats small addresses such as 0x40E as null-pointer arithmetic and
 * warns with -Warray-bounds.
 */
static inline void *phys_ptr(uintptr_t addr)
{
    __asm__("" : "+r"(addr));
    return (void *)addr;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)phys_ptr(addr);
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    *(volatile uint32_t *)phys_ptr(addr) = v;
}

#endif
