/*
 * emu/cpu/fxsave.h: the layout of the FXSAVE area, shared by the CPU and
 * the differential oracle (which cannot include cpu.h beside <ucontext.h>).
 */
#ifndef BAREMU_CPU_FXSAVE_H
#define BAREMU_CPU_FXSAVE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The FXSAVE/FXRSTOR memory image, which is also the legacy region of the
 * XSAVE area (SDM Vol 1 10.5.1, tables 10-2 and 10-3; Vol 2A FXSAVE). The
 * 32-bit format has FIP/FDP as offsets with their selectors; the 64-bit
 * format (REX.W) has them as 64-bit addresses and no selectors.
 */
struct fxsave_area {
    uint16_t fcw;
    uint16_t fsw;
    uint8_t ftw; /* abridged: bit i set = physical register R_i is not empty */
    uint8_t rsvd1;
    uint16_t fop;
    union {
        struct {
            uint32_t fip;
            uint16_t fcs, rsvd2;
            uint32_t fdp;
            uint16_t fds, rsvd3;
        } f32;
        struct {
            uint64_t fip, fdp;
        } f64;
    };
    uint32_t mxcsr;
    uint32_t mxcsr_mask;
    uint8_t st[8][16]; /* ST(0)..ST(7) in stack order: 10 bytes each, 6 reserved */
    uint8_t xmm[16][16];
    uint8_t rsvd[48];
    uint8_t avail[48]; /* for software: the processor never writes it */
};
_Static_assert(sizeof(struct fxsave_area) == 512, "FXSAVE area size");
_Static_assert(offsetof(struct fxsave_area, mxcsr) == 24, "FXSAVE MXCSR offset");
_Static_assert(offsetof(struct fxsave_area, st) == 32, "FXSAVE ST0 offset");
_Static_assert(offsetof(struct fxsave_area, xmm) == 160, "FXSAVE XMM0 offset");

#endif
