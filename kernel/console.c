/*
 * kernel/console.c: the host's log. Each kprintf formats into a buffer on the
 * stack with newlib's vsnprintf and writes it under one lock, so lines from
 * several cores never interleave.
 */
#include <stdio.h>

#include "kernel/console.h"
#include "kernel/fbcon.h"
#include "kernel/serial.h"
#include "emu/lock.h"
#include "kernel/cpu.h"

#define KPRINTF_BUF 512

static struct spinlock console_lock;
static volatile int panicking;

void console_init(void) { serial_init(); }

void console_panic_mode(void) { panicking = 1; }

void console_write(const char *buf, size_t len)
{
    if (panicking) {
        serial_write(buf, len);
        fbcon_write(buf, len);
        return;
    }
    uint64_t flags = irq_save();
    spin_lock(&console_lock);
    serial_write(buf, len);
    fbcon_write(buf, len);
    spin_unlock(&console_lock);
    irq_restore(flags);
}

void kvprintf(const char *fmt, va_list ap)
{
    char buf[KPRINTF_BUF];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0)
        return;
    console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}
