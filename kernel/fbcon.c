/*
 * kernel/fbcon.c: a text console drawn on a linear RGB framebuffer (the
 * Multiboot2 framebuffer tag, spec 3.6.12), with an 8-pixel-wide font
 * generated at build time from a Debian console font (scripts/psf2c.c).
 * A user booting a machine from a USB stick reads the log here.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/fbcon.h"
#include "kernel/mm.h"
#include "font.h" /* build/kernel/font.h */

#define FB_TYPE_RGB 1 /* MULTIBOOT_FRAMEBUFFER_TYPE_RGB */
#define TAB_WIDTH 8

static struct {
    uint8_t *base;
    uint32_t pitch, width, height, bytes_pp;
    uint32_t cols, rows, col, row;
    uint32_t fg, bg;
} con;

static uint32_t rgb(const struct framebuffer *fb, uint8_t r, uint8_t g, uint8_t b)
{
    /* scale 8-bit channels to the mask sizes the framebuffer reports */
    return (uint32_t)(r >> (8 - fb->red_size)) << fb->red_pos |
           (uint32_t)(g >> (8 - fb->green_size)) << fb->green_pos |
           (uint32_t)(b >> (8 - fb->blue_size)) << fb->blue_pos;
}

static void put_pixel(uint32_t x, uint32_t y, uint32_t v)
{
    uint8_t *p = con.base + (size_t)y * con.pitch + (size_t)x * con.bytes_pp;
    for (uint32_t i = 0; i < con.bytes_pp; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void draw_glyph(uint32_t col, uint32_t row, unsigned char c)
{
    const unsigned char *g = font_glyphs[c];
    for (uint32_t y = 0; y < FONT_HEIGHT; y++)
        for (uint32_t x = 0; x < FONT_WIDTH; x++)
            put_pixel(col * FONT_WIDTH + x, row * FONT_HEIGHT + y,
                      (g[y] & (0x80 >> x)) ? con.fg : con.bg);
}

static void clear_rows(uint32_t first, uint32_t n)
{
    for (uint32_t y = first * FONT_HEIGHT; y < (first + n) * FONT_HEIGHT; y++)
        for (uint32_t x = 0; x < con.width; x++)
            put_pixel(x, y, con.bg);
}

static void newline(void)
{
    con.col = 0;
    if (++con.row < con.rows)
        return;
    size_t line = (size_t)con.pitch * FONT_HEIGHT;
    memmove(con.base, con.base + line, line * (con.rows - 1));
    con.row = con.rows - 1;
    clear_rows(con.row, 1);
}

bool fbcon_init(const struct framebuffer *fb)
{
    if (!fb->addr || fb->type != FB_TYPE_RGB || (fb->bpp != 32 && fb->bpp != 24 && fb->bpp != 16) ||
        fb->width < FONT_WIDTH || fb->height < FONT_HEIGHT || fb->pitch < fb->width * (fb->bpp / 8) ||
        fb->red_size > 8 || fb->green_size > 8 || fb->blue_size > 8)
        return false;
    uint64_t bytes = (uint64_t)fb->pitch * fb->height;
    if (!mm_map_mmio(fb->addr, bytes))
        return false;
    con.base = (uint8_t *)(uintptr_t)fb->addr;
    con.pitch = fb->pitch;
    con.width = fb->width;
    con.height = fb->height;
    con.bytes_pp = fb->bpp / 8;
    con.cols = fb->width / FONT_WIDTH;
    con.rows = fb->height / FONT_HEIGHT;
    con.fg = rgb(fb, 0xc0, 0xc0, 0xc0);
    con.bg = rgb(fb, 0x00, 0x00, 0x30);
    con.col = con.row = 0;
    clear_rows(0, con.rows);
    return true;
}

void fbcon_write(const char *buf, size_t len)
{
    if (!con.base)
        return;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        switch (c) {
        case '\n':
            newline();
            break;
        case '\r':
            con.col = 0;
            break;
        case '\t':
            con.col = (con.col / TAB_WIDTH + 1) * TAB_WIDTH;
            if (con.col >= con.cols)
                newline();
            break;
        default:
            if (con.col >= con.cols)
                newline();
            draw_glyph(con.col++, con.row, c);
        }
    }
}
