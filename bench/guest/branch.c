/*
 * Branches: for each of 8192 pseudo-random words, conditional branches on
 * its bits (taken about half the time, unpredictably), a switch through a
 * jump table (an indirect jump) and a short loop with a data-dependent trip
 * count. The data are the same in every iteration, so every iteration runs
 * the same instructions; 8192 words of history are far more than a host
 * branch predictor can learn. Built with if-conversion off
 * (bench/guest/Makefile): gcc would otherwise turn some branches into CMOV.
 */
#include "bench.h"

const char bench_name[] = "branch";

#define NDATA 8192
static uint32_t data[NDATA];

uint32_t bench_run(uint32_t iters)
{
    uint32_t seed = 0x2545f491;
    for (uint32_t j = 0; j < NDATA; j++)
        data[j] = xorshift32(&seed);

    uint32_t x = 1, y = 2, z = 3;
    for (uint32_t i = 0; i < iters; i++) {
        x += i;
        for (uint32_t j = 0; j < NDATA; j++) {
            uint32_t v = data[j];
            if (v & 1)
                x += v;
            else
                y ^= v >> 3;
            if (v & 2) {
                z = z * 5 + 1;
                if (v & 4)
                    x ^= z;
            } else if ((int32_t)v < 0) {
                y -= x;
            }
            switch ((v >> 4) & 7) {
            case 0: x += 3; break;
            case 1: y ^= x; break;
            case 2: z -= y; break;
            case 3: x = (x << 1) | (x >> 31); break;
            case 4: y += 7; break;
            case 5: z ^= 0x55; break;
            case 6: x -= z; break;
            default: y = ~y; break;
            }
            for (uint32_t k = (v >> 8) & 3; k; k--)
                z += k ^ x;
        }
    }
    return x ^ (y << 1) ^ (z << 2);
}
