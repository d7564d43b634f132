#!/usr/bin/env bash
# Boot time of the bare-metal kernel under QEMU, from QEMU's start to the
# kernel's verdict through isa-debug-exit, for each way in. Median of RUNS.
# Writes bench/boot.md.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
OUT=build/bench
mkdir -p "$OUT"
ACCEL=$(scripts/qemu-accel)
ISO=$OUT/boot.iso
iso/mkiso build/baremu.elf "$ISO" --timeout 0 --cmdline "-smp 4 -exit"
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/vars.fd"
common=(-smp 4 -m 256M -display none -serial null -monitor none -no-reboot
    -device isa-debug-exit,iobase=0xf4,iosize=4)
uefi=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
    -drive "if=pflash,format=raw,file=$OUT/vars.fd")

median_ms() { # command...: run RUNS times, print the median wall time in ms
    local t=()
    for ((i = 0; i < RUNS; i++)); do
        local s=$(date +%s%N)
        "$@" >/dev/null 2>&1
        local st=$?
        ((st == 1)) || { echo "bench: run failed with status $st: $*" >&2; return 1; }
        t+=($((($(date +%s%N) - s) / 1000000)))
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n "$((RUNS / 2 + 1))p"
}

q() { timeout 120 qemu-system-x86_64 $ACCEL "${common[@]}" "$@"; }
pvh=$(median_ms q -kernel build/baremu.elf -append "-smp 4 -exit") || exit 1
bios=$(median_ms q -boot d -cdrom "$ISO") || exit 1
efi=$(median_ms q "${uefi[@]}" -cdrom "$ISO") || exit 1

{
    echo "# Boot time"
    echo
    echo "Wall time from starting QEMU to the kernel's verdict (isa-debug-exit), median of $RUNS runs,"
    echo "\`-smp 4 -m 256M\`, written by \`bench/boot.sh\` (\`make bench\`)."
    echo
    echo "- date: $(date -u +%Y-%m-%d)"
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- QEMU: $(qemu-system-x86_64 --version | head -n1), accelerator \`${ACCEL#-accel }\`"
    echo
    echo "| way in | ms |"
    echo "| --- | ---: |"
    echo "| PVH (\`qemu -kernel\`) | $pvh |"
    echo "| GRUB from a BIOS CD (SeaBIOS) | $bios |"
    echo "| GRUB from a UEFI CD (OVMF) | $efi |"
    echo
    echo "Most of the ISO figures is firmware and GRUB; the kernel's own part is the PVH figure's."
} >bench/boot.md
cat bench/boot.md
