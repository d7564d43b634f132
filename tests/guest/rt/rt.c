/* runtime start-up: what crt0 calls before gmain */
#include "guest.h"

/*
 * The loader must zero .bss (ELF: memsz beyond filesz). A canary in .bss
 * that is not zero means it did not, and nothing else can be trusted.
 */
static volatile uint32_t bss_canary[4];

void rt_init(uint32_t magic, struct multiboot_info *mbi)
{
    uart_init();
    idt_init();
    ring3_init();
    for (unsigned i = 0; i < sizeof(bss_canary) / sizeof(bss_canary[0]); i++)
        if (bss_canary[i])
            tap_bail("loader left .bss non-zero (word %u = 0x%x)", i, bss_canary[i]);
    if (magic == MULTIBOOT_BOOTLOADER_MAGIC)
        args_init(mbi);
}
