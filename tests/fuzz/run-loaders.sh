#!/bin/bash
# run-loaders.sh: fuzz the Multiboot, PVH and bzImage loaders with libFuzzer
# (clang -fsanitize=fuzzer,address,undefined) for a bounded time.
#
#   tests/fuzz/run-loaders.sh [SECONDS]        default 60; needs the build (dsdt.hex)
#
# Seeds: the guest test programs (Multiboot), baremu.elf (PVH) and the head
# of a bzImage if tests/firmware/linux-boot.sh fetched one. Crashes land in
# build/fuzz/loaders/; the exit status is non-zero if one is found.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
out=build/fuzz/loaders
mkdir -p "$out/corpus" "$out/crashes"
[[ -f build/firmware/dsdt.hex ]] || { echo "run 'make' first (build/firmware/dsdt.hex)" >&2; exit 2; }

clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I. -Ibuild/firmware tests/fuzz/fuzz_loaders.c firmware/*.c -o "$out/fuzz_loaders"

seed() { # seed SELECTOR FILE [BYTES]
    [[ -f $2 ]] || return 0
    local name
    name=$out/corpus/$1-$(basename "$2")
    { printf "\\x$1"; head -c "${3:-4000000}" "$2"; } >"$name"
}
for f in build/tests/guest/*.elf; do seed 00 "$f"; done
seed 01 build/baremu.elf
for f in build/linux/boot/vmlinuz-*; do seed 02 "$f" 65536; done

"$out/fuzz_loaders" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "$out/corpus"
