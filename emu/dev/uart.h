/*
 * emu/dev/uart.h: a 16550A UART (COM1 at 0x3f8, IRQ 4), connected to the
 * host console through two callbacks.
 *
 * Follows the National/TI PC16550D datasheet; the model is QEMU's
 * hw/char/serial.c. 16-byte receive FIFO with trigger levels, interrupts
 * (line status, received data, character timeout, THR empty, modem status)
 * with the datasheet's priorities, loopback through MCR bit 4, scratch
 * register, divisor latch.
 *
 * Transmission is instantaneous: a byte written to THR goes to tx() at once
 * and THRE/TEMT are set again (XXX: no baud-rate timing). The character
 * timeout interrupt is reported as soon as the FIFO holds data below its
 * trigger level (XXX: no four-character delay). As in QEMU, MCR OUT2 does
 * not gate the interrupt line.
 *
 * Locking: one spinlock; the port accesses and uart_receive() may come from
 * any thread. tx() is called under the lock and must not call back.
 */
#ifndef BAREMU_UART_H
#define BAREMU_UART_H

#include "emu/bus.h"
#include "emu/lock.h"

#include <stdint.h>

/* registers (datasheet Table II), offsets from the base port */
#define UART_RBR   0 /* receive buffer (read, DLAB=0) */
#define UART_THR   0 /* transmit holding (write, DLAB=0) */
#define UART_DLL   0 /* divisor latch low (DLAB=1) */
#define UART_IER   1 /* interrupt enable (DLAB=0) */
#define UART_DLM   1 /* divisor latch high (DLAB=1) */
#define UART_IIR   2 /* interrupt identification (read) */
#define UART_FCR   2 /* FIFO control (write) */
#define UART_LCR   3 /* line control */
#define UART_MCR   4 /* modem control */
#define UART_LSR   5 /* line status */
#define UART_MSR   6 /* modem status */
#define UART_SCR   7 /* scratch */
#define UART_PORTS 8

#define IER_RDI  0x01 /* received data available */
#define IER_THRI 0x02 /* THR empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI  0x08 /* modem status */

#define IIR_NONE    0x01
#define IIR_MSI     0x00
#define IIR_THRI    0x02
#define IIR_RDI     0x04
#define IIR_RLSI    0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE     0x01
#define FCR_CLEAR_RX   0x02
#define FCR_CLEAR_TX   0x04
#define FCR_TRIGGER(f) ((f) >> 6)

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR       0x01 /* data ready */
#define LSR_OE       0x02 /* overrun */
#define LSR_PE       0x04
#define LSR_FE       0x08
#define LSR_BI       0x10
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
#define LSR_FIFO_ERR 0x80
#define LSR_ERRORS   (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS  0x01
#define MSR_DDSR  0x02
#define MSR_TERI  0x04
#define MSR_DDCD  0x08
#define MSR_DELTA 0x0f
#define MSR_CTS   0x10
#define MSR_DSR   0x20
#define MSR_RI    0x40
#define MSR_DCD   0x80

#define UART_FIFO 16

struct uart {
    struct spinlock lock;
    uint8_t rx[UART_FIFO];
    unsigned rx_head, rx_count;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint16_t divisor;
    bool thr_ipending;
    struct irq_line irq;
    void (*tx)(void *opaque, uint8_t byte);
    void *tx_opaque;
};

void uart_init(struct uart *u, struct irq_line irq, void (*tx)(void *, uint8_t), void *tx_opaque);

extern const struct io_ops uart_ops;
uint64_t uart_read(void *opaque, uint64_t offset, unsigned size);
void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

/* how many bytes the receiver takes now (0 in loopback) */
unsigned uart_can_receive(struct uart *u);
/* bytes from the host side; past the FIFO's room they overrun */
void uart_receive(struct uart *u, const uint8_t *buf, unsigned len);

#endif
