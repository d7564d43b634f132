/*
 * The guest-test runtime: everything a test in tests/guest/ may use.
 *
 * A test defines gmain(); crt0 calls it after rt_init() with the Multiboot
 * magic and boot information, and exits with its return value. Most tests
 * end with tap_done(), which exits itself.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* multiboot.h comes from the grub2 source package (scripts/setup); its APM
 * structures use GRUB's own integer names and packing macro */
typedef uint16_t grub_uint16_t;
typedef uint32_t grub_uint32_t;
#define GRUB_PACKED __attribute__((packed))
#include <multiboot.h>
#include "io.h"
#include "tap.h"
#include "acpi.h"
#include "ring3.h"

/* exit statuses; QEMU's isa-debug-exit turns status s into exit code 2s+1 */
#define GUEST_PASS  0 /* every test passed */
#define GUEST_FAIL  1 /* some test failed */
#define GUEST_CRASH 2 /* bail out: unexpected exception, broken loader, ... */

#define DEBUG_EXIT_PORT     0xF4   /* QEMU -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT 0x8900 /* Bochs: write "Shutdown" to power off */

/* the test's entry point */
int gmain(uint32_t magic, struct multiboot_info *mbi);

/* crt0 calls this before gmain */
void rt_init(uint32_t magic, struct multiboot_info *mbi);

/* exit the emulator: debug-exit port, then the Bochs shutdown port, then hlt */
_Noreturn void guest_exit(int status);

/* COM1 (16550), 115200 8N1, polled */
void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);
void uart_flush(void); /* wait until every byte is sent */

/* a small printf: %s %c %d %i %u %x %X %p %%, flags '-' '0', width, hh h l ll z */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* the kernel command line: words of the form key=value */
void args_init(const struct multiboot_info *mbi); /* rt_init calls it */
bool arg_present(const char *key);
bool arg_str(const char *key, char *buf, size_t n);
bool arg_u32(const char *key, uint32_t *out); /* decimal, or hex with 0x */
const char *arg_cmdline(void);                /* the whole line, "" if none */

/* the IDT: every vector reports and exits unless a handler is installed
 * (idt_set_handler in ring3.h); idt_set_gate puts a raw stub of the test's
 * own behind a DPL-0 interrupt gate */
struct trap_frame {
    uint32_t gs, fs, es, ds;                                  /* as the trap found them */
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax; /* pushal */
    uint32_t vector, error;   /* error is 0 for vectors without an error code */
    uint32_t eip, cs, eflags; /* pushed by the CPU */
    uint32_t esp, ss;         /* pushed by the CPU only from an outer ring: valid if cs & 3 */
};
void idt_init(void); /* rt_init calls it */
void idt_load(void); /* LIDT of the one IDT: every AP does it when it starts */
void idt_set_gate(uint8_t vector, void (*stub)(void));
void rt_dispatch(struct trap_frame *f); /* vectors.S calls it */
_Noreturn void rt_trap(struct trap_frame *f);

/* freestanding C still needs these: gcc emits calls to them */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

#endif
