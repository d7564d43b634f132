#!/bin/bash
# linux-boot.sh: boot a stock Linux with baremu's firmware under QEMU TCG.
#
#   tests/firmware/linux-boot.sh [--fetch] [BZIMAGE]
#
# The guest RAM is what a baremu machine would start with: fw_build()'s
# ACPI, MP and SMBIOS tables and E820 map, and linux_load()'s zero page,
# page tables and initrd (tests/firmware/linux-boot/mkimage.c). A Multiboot
# shim (linux-boot/stub.S), booted by QEMU's -kernel, copies that image into
# place and enters Linux's 64-bit entry as the vCPU would. QEMU's pc machine
# has the devices our tables describe (PIIX4 PM at 0x600, SCI 9, HPET,
# IOAPIC, COM1, RTC), so this checks the tables and the loader against real
# Linux 6.1, not baremu's devices. An initramfs /init (linux-boot/init)
# prints what Linux found and powers off through \_S5.
#
# Checks, for -smp 4 with Processor objects and -smp 16 with Device objects:
# every CPU up and bound to its processor object, DMI from our SMBIOS, the
# HPET and ACPI PM clocksources, no ACPI error or firmware-bug line, and a
# clean power-off. The kernel is BZIMAGE, $BAREMU_LINUX_KERNEL, or Debian's
# cloud kernel in build/linux/ (--fetch downloads it with apt-get download);
# without one every test is skipped. Output is TAP.
set -u
cd "$(dirname "$0")/../.."
here=tests/firmware/linux-boot
out=build/tests/linux-boot
mkdir -p "$out"

configs=("4 processor \\_PR_" "16 device \\_SB_")
echo "1..$((${#configs[@]} * 6))"

fetch=0
[[ ${1:-} == --fetch ]] && fetch=1 && shift
kernel=${1:-${BAREMU_LINUX_KERNEL:-}}
if [[ -z $kernel ]]; then
    kernel=$(ls build/linux/boot/vmlinuz-* 2>/dev/null | head -n 1)
    if [[ -z $kernel && $fetch == 1 ]]; then
        mkdir -p build/linux
        pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
        (cd build/linux && apt-get download "$pkg" >/dev/null 2>&1 && dpkg-deb -x "$pkg"_*.deb .)
        kernel=$(ls build/linux/boot/vmlinuz-* 2>/dev/null | head -n 1)
    fi
fi
skip_all() {
    for ((i = 1; i <= ${#configs[@]} * 6; i++)); do echo "ok $i - linux boot # SKIP $1"; done
    exit 0
}
fail_all() {
    for ((i = 1; i <= ${#configs[@]} * 6; i++)); do echo "not ok $i - linux boot: $1"; done
    exit 1
}
[[ -n $kernel && -f $kernel ]] || skip_all "no kernel (give BZIMAGE, BAREMU_LINUX_KERNEL or --fetch)"
command -v qemu-system-x86_64 >/dev/null || skip_all "no qemu-system-x86_64"
[[ -x /bin/busybox ]] || skip_all "no /bin/busybox (busybox-static)"
[[ -f build/libbaremu-core.a ]] || skip_all "build/libbaremu-core.a is not built"

# the shim, the image builder and the initramfs
gcc -m32 -c "$here/stub.S" -o "$out/stub.o" &&
    ld -m elf_i386 --no-warn-rwx-segments -T "$here/stub.ld" -o "$out/stub.elf" "$out/stub.o" &&
    gcc -std=gnu11 -Wall -Wextra -Werror -O2 -I. "$here/mkimage.c" build/libbaremu-core.a \
        -o "$out/mkimage" || fail_all "the shim does not build"
rm -rf "$out/rootfs" && mkdir -p "$out/rootfs/bin" "$out/rootfs/proc" "$out/rootfs/sys"
cp /bin/busybox "$out/rootfs/bin/" && cp "$here/init" "$out/rootfs/init"
(cd "$out/rootfs" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out/initrd.gz"

n=0
failed=0
report() { # report OK DESCRIPTION LOG
    n=$((n + 1))
    if [[ $1 == 0 ]]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=$((failed + 1))
        grep -E 'FWCHECK|ACPI|panic|Power' "$3" 2>/dev/null | head -n 12 | sed 's/^/#   /'
    fi
}

for config in "${configs[@]}"; do
    read -r smp style scope <<<"$config"
    log=$out/smp$smp-$style.log
    image=$out/smp$smp-$style.img
    what="-smp $smp, $style objects"
    "$out/mkimage" "$image" "$smp" 512 "$style" "$kernel" "$out/initrd.gz" \
        "console=ttyS0 panic=-1 loglevel=4" >"$log" 2>&1 &&
        timeout 600 qemu-system-x86_64 -accel tcg -m 512M -smp "$smp" -kernel "$out/stub.elf" \
            -initrd "$image" -display none -monitor none -serial "file:$log" -no-reboot \
            >/dev/null 2>&1
    report $? "$what: Linux boots and QEMU exits by itself" "$log"

    grep -q "FWCHECK online 0-$((smp - 1))" "$log"
    report $? "$what: all $smp CPUs online" "$log"
    bound=0
    for ((i = 0; i < smp; i++)); do
        grep -qF "FWCHECK cpu$i $(printf '%s.C%03X' "$scope" "$i")" "$log" && bound=$((bound + 1))
    done
    [[ $bound == "$smp" ]]
    report $? "$what: each CPU is bound to its processor object under $scope ($bound of $smp)" "$log"
    grep -q "FWCHECK dmi baremu/baremu PC" "$log" && grep -q "FWCHECK clocksources .*hpet.*acpi_pm" "$log"
    report $? "$what: DMI from our SMBIOS, HPET and ACPI PM clocksources" "$log"
    ! grep -qiE 'ACPI (BIOS )?(Error|Warning)|Firmware Bug|ACPI Exception' "$log"
    report $? "$what: no ACPI error or firmware-bug line" "$log"
    grep -q "reboot: Power down" "$log"
    report $? "$what: poweroff -f powers down through \\_S5" "$log"
done
echo "# $((n - failed)) passed, $failed failed"
((failed == 0))
