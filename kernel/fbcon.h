/* kernel/fbcon.h: the log on the screen, from the boot loader's framebuffer. */
#ifndef KERNEL_FBCON_H
#define KERNEL_FBCON_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/bootinfo.h"

bool fbcon_init(const struct framebuffer *fb); /* false if the framebuffer is unusable */
void fbcon_write(const char *buf, size_t len);  /* under the console lock */

#endif
