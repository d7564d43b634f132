/*
 * test_uart.c: the 16550A (emu/dev/uart.h), through its ports.
 */
#include "emu/dev/uart.h"
#include "emu/platform.h"

#include <criterion/criterion.h>
#include <string.h>

static struct bus B;
static struct uart U;
static char sent[64];
static unsigned nsent;
static int irq_level;

static void host_tx(void *opaque, uint8_t byte)
{
    (void)opaque;
    if (nsent < sizeof sent)
        sent[nsent++] = (char)byte;
}

static void set_irq(void *opaque, unsigned line, int level)
{
    (void)opaque;
    cr_assert_eq(line, PLAT_IRQ_COM1);
    irq_level = level;
}

static void out(unsigned reg, uint8_t v)
{
    bus_pio_write(&B, (uint16_t)(PLAT_PORT_COM1 + reg), v, 1);
}

static uint8_t in(unsigned reg)
{
    return (uint8_t)bus_pio_read(&B, (uint16_t)(PLAT_PORT_COM1 + reg), 1);
}

static void setup(void)
{
    bus_init(&B);
    nsent = 0;
    irq_level = 0;
    uart_init(&U, (struct irq_line){set_irq, NULL, PLAT_IRQ_COM1}, host_tx, NULL);
    cr_assert_eq(bus_register_pio(&B, PLAT_PORT_COM1, UART_PORTS, &uart_ops, &U), 0);
}

/* the guest runtime's uart_init(): 115200 8N1, FIFOs on, DTR+RTS */
static void guest_init(void)
{
    out(UART_IER, 0);
    out(UART_LCR, LCR_DLAB);
    out(UART_DLL, 1);
    out(UART_DLM, 0);
    out(UART_LCR, 0x03);
    out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
    out(UART_MCR, MCR_DTR | MCR_RTS);
}

Test(uart, reset_state)
{
    setup();
    cr_assert_eq(in(UART_LSR), LSR_THRE | LSR_TEMT);
    cr_assert_eq(in(UART_IIR), IIR_NONE);
    cr_assert_eq(in(UART_IER), 0);
    cr_assert_eq(in(UART_MCR), 0);
}

Test(uart, polled_transmit_reaches_host)
{
    setup();
    guest_init();
    for (const char *p = "ok\n"; *p; p++) {
        cr_assert(in(UART_LSR)&LSR_THRE);
        out(UART_THR, (uint8_t)*p);
    }
    cr_assert_eq(nsent, 3);
    cr_assert(memcmp(sent, "ok\n", 3) == 0);
    cr_assert_eq(irq_level, 0, "no interrupts enabled");
}

Test(uart, divisor_latch)
{
    setup();
    out(UART_LCR, LCR_DLAB);
    out(UART_DLL, 0x34);
    out(UART_DLM, 0x12);
    cr_assert_eq(in(UART_DLL), 0x34);
    cr_assert_eq(in(UART_DLM), 0x12);
    out(UART_LCR, 0x03);
    cr_assert_eq(in(UART_IER), 0, "IER, not DLM");
    cr_assert_eq(nsent, 0, "DLL writes are not data");
}

Test(uart, fifo_iir_bits_and_scratch)
{
    setup();
    guest_init();
    cr_assert_eq(in(UART_IIR), IIR_FIFO_ON | IIR_NONE);
    out(UART_SCR, 0x5a);
    cr_assert_eq(in(UART_SCR), 0x5a);
}

Test(uart, thre_interrupt)
{
    setup();
    guest_init();
    out(UART_IER, IER_THRI);
    cr_assert_eq(irq_level, 1, "enabling it with THR empty raises it");
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_THRI);
    cr_assert_eq(irq_level, 0, "reading IIR cleared it");
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_NONE);
    out(UART_THR, 'x');
    cr_assert_eq(irq_level, 1, "empty again after the byte went out");
}

Test(uart, receive_with_trigger_level_and_timeout)
{
    setup();
    guest_init();
    out(UART_FCR, FCR_ENABLE | 0x80); /* trigger at 8 */
    out(UART_IER, IER_RDI);
    uart_receive(&U, (const uint8_t *)"abc", 3);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_TIMEOUT, "below the trigger level");
    uart_receive(&U, (const uint8_t *)"defgh", 5);
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_RDI);
    char got[9] = {0};
    for (unsigned i = 0; in(UART_LSR)&LSR_DR; i++)
        got[i] = (char)in(UART_RBR);
    cr_assert_str_eq(got, "abcdefgh");
    cr_assert_eq(irq_level, 0);
}

Test(uart, overrun)
{
    setup();
    guest_init();
    cr_assert_eq(uart_can_receive(&U), UART_FIFO);
    uint8_t buf[UART_FIFO + 2];
    memset(buf, 'z', sizeof buf);
    out(UART_IER, IER_RLSI);
    uart_receive(&U, buf, sizeof buf);
    cr_assert_eq(uart_can_receive(&U), 0);
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_RLSI);
    cr_assert(in(UART_LSR)&LSR_OE);
    cr_assert_not(in(UART_LSR)&LSR_OE, "reading LSR clears the error");
    cr_assert_eq(irq_level, 0);
}

Test(uart, non_fifo_mode_holds_one_byte)
{
    setup();
    out(UART_FCR, 0);
    cr_assert_eq(uart_can_receive(&U), 1);
    uart_receive(&U, (const uint8_t *)"pq", 2);
    cr_assert_eq(in(UART_RBR), 'p');
    cr_assert(in(UART_LSR)&LSR_OE);
}

Test(uart, loopback)
{
    setup();
    guest_init();
    out(UART_MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
    uint8_t msr = in(UART_MSR);
    cr_assert_eq(msr & 0xf0, MSR_CTS | MSR_DCD, "the outputs come back as inputs");
    out(UART_THR, 0xa5);
    cr_assert_eq(nsent, 0, "nothing reaches the host");
    cr_assert(in(UART_LSR)&LSR_DR);
    cr_assert_eq(in(UART_RBR), 0xa5);
    cr_assert_eq(uart_can_receive(&U), 0);
    uart_receive(&U, (const uint8_t *)"h", 1);
    cr_assert_not(in(UART_LSR)&LSR_DR, "the line in is cut off");
}

Test(uart, modem_status_interrupt)
{
    setup();
    guest_init();
    out(UART_IER, IER_MSI);
    (void)in(UART_MSR);
    out(UART_MCR, MCR_LOOP);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_MSI);
    uint8_t msr = in(UART_MSR);
    cr_assert(msr & (MSR_DCTS | MSR_DDSR | MSR_DDCD));
    cr_assert_eq(irq_level, 0, "reading MSR clears the deltas");
}

Test(uart, interrupt_priority)
{
    setup();
    guest_init();
    out(UART_IER, IER_RDI | IER_THRI | IER_RLSI);
    uint8_t buf[UART_FIFO + 1] = {0};
    uart_receive(&U, buf, sizeof buf);
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_RLSI);
    (void)in(UART_LSR);
    cr_assert_eq(in(UART_IIR)&0x0f, IIR_RDI);
}
