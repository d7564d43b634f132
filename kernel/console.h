/* kernel/console.h: the host's log, on every console that answered. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_init(void);
void console_write(const char *buf, size_t len);
/* formatted, one whole line at a time even when several cores log at once */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* the fault path: stop taking the console lock, whoever held it is not coming back */
void console_panic_mode(void);

#endif
