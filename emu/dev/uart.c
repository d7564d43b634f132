/*
 * uart.c: the 16550A (see uart.h).
 */
#include "emu/dev/uart.h"

#include <string.h>

static const unsigned trigger_levels[4] = {1, 4, 8, 14};

static bool fifo_on(const struct uart *u)
{
    return u->fcr & FCR_ENABLE;
}

/* the pending interrupt of highest priority (datasheet Table IV) */
static uint8_t uart_iir(const struct uart *u)
{
    if ((u->ier & IER_RLSI) && (u->lsr & LSR_ERRORS))
        return IIR_RLSI;
    if ((u->ier & IER_RDI) && u->rx_count) {
        if (!fifo_on(u) || u->rx_count >= trigger_levels[FCR_TRIGGER(u->fcr)])
            return IIR_RDI;
        return IIR_TIMEOUT;
    }
    if ((u->ier & IER_THRI) && u->thr_ipending)
        return IIR_THRI;
    if ((u->ier & IER_MSI) && (u->msr & MSR_DELTA))
        return IIR_MSI;
    return IIR_NONE;
}

static void uart_update(struct uart *u)
{
    irq_set(&u->irq, uart_iir(u) != IIR_NONE);
}

static void rx_push(struct uart *u, uint8_t byte)
{
    unsigned room = fifo_on(u) ? UART_FIFO : 1;
    if (u->rx_count >= room) {
        u->lsr |= LSR_OE; /* the byte is lost */
        return;
    }
    u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = byte;
    u->rx_count++;
    u->lsr |= LSR_DR;
}

static uint8_t rx_pop(struct uart *u)
{
    if (!u->rx_count)
        return 0;
    uint8_t byte = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART_FIFO;
    if (--u->rx_count == 0)
        u->lsr &= ~LSR_DR;
    return byte;
}

static void rx_clear(struct uart *u)
{
    u->rx_head = u->rx_count = 0;
    u->lsr &= ~LSR_DR;
}

/* loopback: the modem inputs follow the modem outputs (datasheet, MCR bit 4) */
static uint8_t loop_msr(uint8_t mcr)
{
    return (uint8_t)((mcr & MCR_RTS ? MSR_CTS : 0) | (mcr & MCR_DTR ? MSR_DSR : 0) |
                     (mcr & MCR_OUT1 ? MSR_RI : 0) | (mcr & MCR_OUT2 ? MSR_DCD : 0));
}

static void set_modem_inputs(struct uart *u, uint8_t in)
{
    uint8_t old = u->msr, delta = 0;
    if ((old ^ in) & MSR_CTS)
        delta |= MSR_DCTS;
    if ((old ^ in) & MSR_DSR)
        delta |= MSR_DDSR;
    if ((old & MSR_RI) && !(in & MSR_RI))
        delta |= MSR_TERI; /* trailing edge of ring indicator */
    if ((old ^ in) & MSR_DCD)
        delta |= MSR_DDCD;
    u->msr = (uint8_t)(in | ((old | delta) & MSR_DELTA));
}

static void transmit(struct uart *u, uint8_t byte)
{
    if (u->mcr & MCR_LOOP)
        rx_push(u, byte);
    else if (u->tx)
        u->tx(u->tx_opaque, byte);
    u->lsr |= LSR_THRE | LSR_TEMT;
    u->thr_ipending = true;
}

static uint8_t reg_read(struct uart *u, unsigned reg)
{
    uint8_t v;
    switch (reg) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB)
            return u->divisor & 0xff;
        return rx_pop(u);
    case UART_IER:
        if (u->lcr & LCR_DLAB)
            return u->divisor >> 8;
        return u->ier;
    case UART_IIR:
        v = uart_iir(u);
        if (v == IIR_THRI)
            u->thr_ipending = false; /* reading IIR with THRE as the source clears it */
        return v | (fifo_on(u) ? IIR_FIFO_ON : 0);
    case UART_LCR:
        return u->lcr;
    case UART_MCR:
        return u->mcr;
    case UART_LSR:
        v = u->lsr;
        u->lsr &= ~(LSR_ERRORS | LSR_FIFO_ERR);
        return v;
    case UART_MSR:
        v = u->msr;
        u->msr &= ~MSR_DELTA;
        return v;
    default:
        return u->scr;
    }
}

static void reg_write(struct uart *u, unsigned reg, uint8_t v)
{
    switch (reg) {
    case UART_THR:
        if (u->lcr & LCR_DLAB) {
            u->divisor = (uint16_t)((u->divisor & 0xff00) | v);
            return;
        }
        u->thr_ipending = false;
        transmit(u, v);
        return;
    case UART_IER:
        if (u->lcr & LCR_DLAB) {
            u->divisor = (uint16_t)((u->divisor & 0xff) | v << 8);
            return;
        }
        /* enabling the THRE interrupt with THR empty raises it (datasheet, IER) */
        if ((v & IER_THRI) && !(u->ier & IER_THRI) && (u->lsr & LSR_THRE))
            u->thr_ipending = true;
        u->ier = v & 0x0f;
        return;
    case UART_FCR:
        if ((v ^ u->fcr) & FCR_ENABLE)
            rx_clear(u); /* switching FIFO mode clears the FIFOs */
        if (v & FCR_CLEAR_RX)
            rx_clear(u);
        u->fcr = v & (FCR_ENABLE | 0xc0);
        return;
    case UART_LCR:
        u->lcr = v;
        return;
    case UART_MCR:
        u->mcr = v & MCR_MASK;
        set_modem_inputs(u, u->mcr & MCR_LOOP ? loop_msr(u->mcr) : MSR_DSR | MSR_CTS | MSR_DCD);
        return;
    case UART_LSR:
    case UART_MSR:
        return; /* XXX: factory test writes are ignored */
    default:
        u->scr = v;
        return;
    }
}

uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
    struct uart *u = opaque;
    (void)size;
    spin_lock(&u->lock);
    uint8_t v = reg_read(u, offset & 7);
    uart_update(u);
    spin_unlock(&u->lock);
    return v;
}

void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct uart *u = opaque;
    (void)size;
    spin_lock(&u->lock);
    reg_write(u, offset & 7, (uint8_t)value);
    uart_update(u);
    spin_unlock(&u->lock);
}

const struct io_ops uart_ops = {uart_read, uart_write};

unsigned uart_can_receive(struct uart *u)
{
    spin_lock(&u->lock);
    unsigned room = u->mcr & MCR_LOOP ? 0 : (fifo_on(u) ? UART_FIFO : 1) - u->rx_count;
    spin_unlock(&u->lock);
    return room;
}

void uart_receive(struct uart *u, const uint8_t *buf, unsigned len)
{
    spin_lock(&u->lock);
    if (!(u->mcr & MCR_LOOP)) /* in loopback the receiver hears only the transmitter */
        for (unsigned i = 0; i < len; i++)
            rx_push(u, buf[i]);
    uart_update(u);
    spin_unlock(&u->lock);
}

void uart_init(struct uart *u, struct irq_line irq, void (*tx)(void *, uint8_t), void *tx_opaque)
{
    memset(u, 0, sizeof *u);
    u->irq = irq;
    u->tx = tx;
    u->tx_opaque = tx_opaque;
    u->lsr = LSR_THRE | LSR_TEMT;
    u->msr = MSR_DSR | MSR_CTS | MSR_DCD; /* a host console is always there */
    u->divisor = 12;                      /* 9600 baud */
}
