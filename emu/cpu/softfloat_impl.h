/*
 * emu/cpu/softfloat_impl.h: what softfloat.c shares with softfloat_trans.c,
 * the unpacked form of a value and the rounding of a result. Not for use
 * outside those two files.
 */
#ifndef BAREMU_CPU_SOFTFLOAT_IMPL_H
#define BAREMU_CPU_SOFTFLOAT_IMPL_H

#include "emu/cpu/softfloat.h"

typedef unsigned __int128 u128;

/* an unpacked value: m * 2^(e - 63); m has bit 63 set for K_NORM */
enum { K_ZERO, K_NORM, K_INF, K_QNAN, K_SNAN, K_BAD };
struct uf {
    uint8_t k;
    bool s;
    bool den; /* a denormal operand (DE), already normalised */
    int32_t e;
    uint64_t m; /* NaN: integer bit, quiet bit 62, payload */
};

struct uf sfi_unpack80(sf80 v);
/* sig * 2^(e - 127) (sig non-zero) rounded to 64 bits in double extended,
 * with every flag and the unmasked OE/UE responses */
sf80 sfi_round80(struct sf_env *env, bool s, int32_t e, u128 sig);
/* the NaN result of NaN operands by the x87 rules (b a zero for one operand), IE for SNaNs */
sf80 sfi_nan80(struct sf_env *env, struct uf a, struct uf b);
/* DE for denormal operands (b may be NULL); true when DE is unmasked */
bool sfi_den_check(struct sf_env *env, const struct uf *a, const struct uf *b);

#endif
