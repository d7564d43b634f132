/*
 * kernel/serial.c: COM1, a 16550A UART (PC16550D datasheet).
 *
 * Detection: the scratch register must hold what we write, and in loopback
 * mode (MCR bit 4) a byte sent must come back. A machine with no UART at
 * 0x3F8 reads 0xFF everywhere and fails both, and then we never wait on it.
 */
#include "kernel/serial.h"
#include "kernel/cpu.h"

#define COM1 0x3f8
enum {
    UART_THR = 0, /* transmit holding (DLAB=0) */
    UART_RBR = 0, /* receive buffer (DLAB=0) */
    UART_DLL = 0, /* divisor latch low (DLAB=1) */
    UART_IER = 1, /* interrupt enable */
    UART_DLM = 1, /* divisor latch high (DLAB=1) */
    UART_FCR = 2, /* FIFO control */
    UART_LCR = 3, /* line control */
    UART_MCR = 4, /* modem control */
    UART_LSR = 5, /* line status */
    UART_SCR = 7, /* scratch */
};
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR_RTS_OUT2 0x0b
#define MCR_LOOP 0x10
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define FCR_ENABLE_CLEAR 0x07
#define BAUD_DIVISOR_115200 1
#define THRE_SPIN_LIMIT 100000 /* a UART that stops draining must not hang us */

static bool serial_present;

bool serial_init(void)
{
    outb(COM1 + UART_SCR, 0x5a);
    if (inb(COM1 + UART_SCR) != 0x5a)
        return false;
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, BAUD_DIVISOR_115200);
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
    /* loopback self-test */
    outb(COM1 + UART_MCR, MCR_LOOP | MCR_DTR_RTS_OUT2);
    outb(COM1 + UART_THR, 0xae);
    for (int i = 0; i < THRE_SPIN_LIMIT && !(inb(COM1 + UART_LSR) & LSR_DR); i++)
        cpu_relax();
    bool ok = (inb(COM1 + UART_LSR) & LSR_DR) && inb(COM1 + UART_RBR) == 0xae;
    outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
    serial_present = ok;
    return ok;
}

static void serial_putc(char c)
{
    for (int i = 0; i < THRE_SPIN_LIMIT && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
        cpu_relax();
    outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
    if (!serial_present)
        return;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            serial_putc('\r');
        serial_putc(buf[i]);
    }
}

size_t serial_read(char *buf, size_t len)
{
    size_t n = 0;
    while (serial_present && n < len && (inb(COM1 + UART_LSR) & LSR_DR))
        buf[n++] = (char)inb(COM1 + UART_RBR);
    return n;
}
