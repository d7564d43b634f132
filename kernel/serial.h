/* kernel/serial.h: the host's COM1 console. */
#ifndef KERNEL_SERIAL_H
#define KERNEL_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

bool serial_init(void); /* false when no UART answers; output is then dropped */
void serial_write(const char *buf, size_t len);
size_t serial_read(char *buf, size_t len); /* what has arrived, without waiting */

#endif
