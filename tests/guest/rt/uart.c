/*
 * 16550 UART on COM1, polled output only. Register map: TI PC16550D data
 * sheet, table II.
 */
#include "guest.h"

#define COM1 0x3F8

#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define LCR_8N1          0x03
#define LCR_DLAB         0x80
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear rx and tx */
#define MCR_DTR_RTS      0x03
#define LSR_THRE         0x20 /* transmit holding register empty */
#define LSR_TEMT         0x40 /* transmitter empty: holding and shift registers */

#define UART_CLOCK_DIV 1 /* 115200 baud = 1.8432 MHz / 16 / 1 */

/*
 * give up waiting for THRE or TEMT after this many polls: an emulator with no UART
 * (or a broken one) must not hang the guest before it can exit
 */
#define THRE_POLLS 100000

void uart_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, UART_CLOCK_DIV & 0xFF);
    outb(COM1 + UART_DLM, UART_CLOCK_DIV >> 8);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
    outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void uart_tx(char c)
{
    for (int i = 0; i < THRE_POLLS && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
        cpu_pause();
    outb(COM1 + UART_THR, (uint8_t)c);
}

/* "\n" goes out as "\r\n" so a terminal shows it right; the runner drops '\r' */
void uart_putc(char c)
{
    if (cpu_cpl() == 3) { /* no I/O ports out there: ask ring 0 */
        syscall1(SYS_PUTC, (uint8_t)c);
        return;
    }
    if (c == '\n')
        uart_tx('\r');
    uart_tx(c);
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

/* wait until the last byte has left, so an exit does not cut it off (Bochs) */
void uart_flush(void)
{
    for (int i = 0; i < THRE_POLLS && !(inb(COM1 + UART_LSR) & LSR_TEMT); i++)
        cpu_pause();
}
