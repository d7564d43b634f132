/*
 * fuzz_loaders.c: a libFuzzer target for the three guest loaders
 * (firmware/multiboot.c, pvh.c, linux.c). The first input byte picks the
 * loader, the rest is the image. Every input must give either a load or an
 * error message, never a read outside the image or a write outside RAM
 * (AddressSanitizer watches), nor undefined behaviour (UBSan).
 *
 *   tests/fuzz/run-loaders.sh [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/fw.h"
#include "firmware/linux.h"
#include "firmware/multiboot.h"
#include "firmware/pvh.h"

#define FUZZ_RAM (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *ram;
    static const uint8_t initrd[4096];
    static const struct fw_module mod = {initrd, sizeof initrd, "initrd"};
    if (ram == NULL && (ram = malloc(FUZZ_RAM)) == NULL)
        abort();
    if (size < 1)
        return 0;
    struct fw_config cfg = {4, NULL, FUZZ_RAM, FW_CPU_PROCESSOR};
    struct fw_entry e;
    char err[256] = "";
    const uint8_t *image = data + 1;
    size_t len = size - 1;
    int rc;
    switch (data[0] % 3) {
    case 0:
        rc = mb1_load(&cfg, ram, FUZZ_RAM, image, len, "console=ttyS0", &mod, 1, &e, err,
                      sizeof err);
        break;
    case 1:
        rc = pvh_load(&cfg, ram, FUZZ_RAM, image, len, "console=ttyS0", &mod, 1, 0xf0000, &e, err,
                      sizeof err);
        break;
    default:
        rc = linux_load(&cfg, ram, FUZZ_RAM, image, len, "console=ttyS0", initrd, sizeof initrd,
                        0xf0000, &e, err, sizeof err);
        break;
    }
    if (rc != 0 && (err[0] == '\0' || strlen(err) >= sizeof err))
        abort(); /* an error must say what is wrong */
    if (rc == 0 && (e.image_end <= e.image_start || e.image_end > FUZZ_RAM))
        abort(); /* a load must land in RAM */
    return 0;
}
