#!/bin/bash
# deterministic.sh: -deterministic repeats itself exactly, as TAP.
#
#   tests/unit/deterministic.sh build/baremu
#
# In deterministic mode every vCPU takes turns on one host thread and guest
# time is counted in instructions (emu/machine.h), so a run depends on its
# command line and files alone. For each multi-vCPU guest program this runs
# the guest three times at -smp 4: once plain, which gives the run's length
# L ("state hash after L instructions"), and twice with -hash-at L/3,2L/3.
# The checks:
#   - the guest passes (its own TAP, and the debug-exit status);
#   - the three runs print byte-identical console output;
#   - the two -hash-at runs log the same hashes at the same counts, and
#     every run the same final count and hash (-hash-at changes nothing);
#   - with another -quantum the vCPUs interleave differently: the guest
#     still passes, and its run ends at another count or with another hash.
# The bare-metal kernel under QEMU ends one of them at the same count with
# the same hash as the hosted program. Then Debian's Linux kernel (when tests/linux/linux-baremu.sh has fetched
# it) boots twice at -smp 2 to its userspace and powers off: the same
# console to the byte, timestamps and all, and the same hashes. Last, a
# guest that halts with interrupts off and no timer is stopped with a
# message instead of spinning forever.
set -u
cd "$(dirname "$0")/../.."

bin=${1:?usage: $0 path/to/baremu}
guests=(smp_ipi smp_lock smp_tlb smp_xmodify smp_tsc smp_halt smp_splitlock apic_timer)
CHECKS_PER_GUEST=4
LINUX_CHECKS=3
PLAN=$((${#guests[@]} * CHECKS_PER_GUEST + 2 + LINUX_CHECKS + 1))
echo "1..$PLAN"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

report() { # report OK DESCRIPTION [DIAGNOSTIC...]
    n=$((n + 1))
    if [[ $1 == 0 ]]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=$((failed + 1))
        shift 2
        for d in "$@"; do echo "#   $d"; done
    fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# det NAME ARGS...: run $bin -deterministic ARGS into $tmp/NAME.{out,err,rc}
det() {
    local name=$1
    shift
    timeout 600 "$bin" -deterministic "$@" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
    echo $? >"$tmp/$name.rc"
}
hashes() { grep -a '^baremu: state hash ' "$tmp/$1.err"; }
length() { sed -n 's/^baremu: state hash after \([0-9]*\) instructions.*/\1/p' "$tmp/$1.err"; }
differ() { echo "$1 and $2 differ: $(diff "$tmp/$1.$3" "$tmp/$2.$3" | head -n 4 | tr '\n' '|')"; }

for g in "${guests[@]}"; do
    elf=build/tests/guest/$g.elf
    if [[ ! -f $elf ]]; then
        for ((k = 0; k < CHECKS_PER_GUEST; k++)); do skip "$g" "$elf is not built (make guest-programs)"; done
        continue
    fi
    args=(-smp 4 -kernel "$elf" -append "cpus=4")
    det "$g.a" "${args[@]}"
    len=$(length "$g.a")
    if [[ -z $len ]]; then
        report 1 "$g: a plain -deterministic run ends with its state hash" \
            "status $(cat "$tmp/$g.a.rc"); stderr: $(tail -n 3 "$tmp/$g.a.err" | tr '\n' '|')"
        for ((k = 1; k < CHECKS_PER_GUEST; k++)); do skip "$g" "the first run failed"; done
        continue
    fi
    at="$((len / 3)),$((2 * len / 3))"
    det "$g.b" "${args[@]}" -hash-at "$at"
    det "$g.c" "${args[@]}" -hash-at "$at"

    why=""
    [[ $(cat "$tmp/$g.a.rc") == 1 ]] || why="exit status $(cat "$tmp/$g.a.rc"), want 1 (guest status 0)"
    grep -aq '^not ok' "$tmp/$g.a.out" && why="${why:+$why; }the guest failed: $(grep -a -m1 '^not ok' "$tmp/$g.a.out")"
    grep -aq '^ok' "$tmp/$g.a.out" || why="${why:+$why; }no TAP from the guest"
    report "$([[ -z $why ]]; echo $?)" "$g -smp 4 -deterministic: the guest passes ($len instructions)" "$why"

    why=""
    cmp -s "$tmp/$g.a.out" "$tmp/$g.b.out" || why=$(differ "$g.a" "$g.b" out)
    cmp -s "$tmp/$g.b.out" "$tmp/$g.c.out" || why="${why:+$why; }$(differ "$g.b" "$g.c" out)"
    report "$([[ -z $why ]]; echo $?)" "$g: three runs print the same console output, byte for byte" "$why"

    hashes "$g.b" >"$tmp/$g.b.h"
    hashes "$g.c" >"$tmp/$g.c.h"
    why=""
    [[ $(grep -c ' at ' "$tmp/$g.b.h") == 2 ]] || why="want 2 hashes at $at, got: $(tr '\n' '|' <"$tmp/$g.b.h")"
    cmp -s "$tmp/$g.b.h" "$tmp/$g.c.h" || why="${why:+$why; }$(differ "$g.b" "$g.c" h)"
    [[ $(hashes "$g.a") == $(grep ' after ' "$tmp/$g.b.h") ]] ||
        why="${why:+$why; }the plain run ends at '$(hashes "$g.a")', the -hash-at run at '$(grep ' after ' "$tmp/$g.b.h")'"
    report "$([[ -z $why ]]; echo $?)" "$g: the same state hash at $at instructions and at the end, in every run" "$why"

    # (the whole run: most of a short test is the BSP alone, waiting out
    # INIT-SIPI-SIPI's delays, the same whatever the quantum)
    det "$g.q" "${args[@]}" -quantum 997
    why=""
    [[ $(hashes "$g.q") == "$(hashes "$g.a")" ]] && why="the same end with quantum 10000 and 997: $(hashes "$g.q")"
    [[ $(cat "$tmp/$g.q.rc") == 1 ]] || why="${why:+$why; }-quantum 997: exit status $(cat "$tmp/$g.q.rc"), want 1"
    report "$([[ -z $why ]]; echo $?)" "$g: -quantum 997 interleaves the vCPUs otherwise: the guest passes, its run ends elsewhere" "$why"
done

# a guest with a -hash-at count past its end: no hash at it, and the run is the same
g=smp_ipi
if [[ -f $tmp/$g.a.out ]]; then
    det "$g.far" -smp 4 -kernel "build/tests/guest/$g.elf" -append "cpus=4" -hash-at 18446744073709551614
    why=""
    cmp -s "$tmp/$g.a.out" "$tmp/$g.far.out" || why=$(differ "$g.a" "$g.far" out)
    hashes "$g.far" | grep -q ' at ' && why="${why:+$why; }a hash was logged at a count never reached"
    [[ $(hashes "$g.a") == $(hashes "$g.far") ]] || why="${why:+$why; }the final hash differs"
    report "$([[ -z $why ]]; echo $?)" "a -hash-at count beyond the run's end changes nothing and logs nothing" "$why"
else
    skip "a -hash-at count beyond the run's end" "build/tests/guest/$g.elf is not built"
fi

# the bare-metal kernel under QEMU runs the same machine: the same end, to the instruction and hash
g=smp_lock
if [[ -f build/baremu.elf && -f $tmp/$g.a.out ]] && command -v qemu-system-x86_64 >/dev/null; then
    (cd build/tests/guest && timeout 300 qemu-system-x86_64 -accel tcg -kernel ../../baremu.elf -initrd "$g.elf" \
        -append "-deterministic -smp 4 -kernel $g.elf -append 'cpus=4' -exit" -smp 1 -m 384M \
        -display none -serial stdio -no-reboot -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null 2>&1 | tr -d '\r' >"$tmp/$g.metal.err")
    metal=$(grep -a '^baremu: state hash ' "$tmp/$g.metal.err")
    report "$([[ -n $metal && $metal == "$(hashes "$g.a")" ]]; echo $?)" \
        "$g: the bare-metal kernel (QEMU, one core) ends where the hosted program does: $(hashes "$g.a" | cut -d' ' -f5-)" \
        "bare metal: '${metal:-no hash}'; log: $(tail -n 3 "$tmp/$g.metal.err" | tr '\n' '|')"
else
    skip "$g on the bare-metal kernel" "no build/baremu.elf, no qemu-system-x86_64, or the hosted run failed"
fi

# Linux, from the kernel linux-baremu.sh fetched
kernel=${BAREMU_LINUX_KERNEL:-$(ls build/linux/boot/vmlinuz-* 2>/dev/null | head -n 1)}
if [[ -z $kernel || ! -f $kernel || ! -x /bin/busybox ]]; then
    for ((k = 0; k < LINUX_CHECKS; k++)); do skip "linux -smp 2 -deterministic" "no kernel (tests/linux/linux-baremu.sh --fetch) or no busybox"; done
else
    mkdir -p "$tmp/rootfs/"{bin,dev,proc,sys}
    cp /bin/busybox "$tmp/rootfs/bin/" && cp tests/linux/init "$tmp/rootfs/init"
    (cd "$tmp/rootfs" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$tmp/initrd.gz"
    largs=(-smp 2 -m 512M -kernel "$kernel" -initrd "$tmp/initrd.gz"
        -append "console=ttyS0 panic=-1 cryptomgr.notests=1 mitigations=off LINUXCHECK_WORK=200")
    det linux.a "${largs[@]}" -hash-at 100000000,300000000
    det linux.b "${largs[@]}" -hash-at 100000000,300000000
    why=""
    [[ $(cat "$tmp/linux.a.rc") == 0 ]] || why="exit status $(cat "$tmp/linux.a.rc"), want 0 (ACPI power-off)"
    grep -aq "LINUXCHECK online 0-1" "$tmp/linux.a.out" || why="${why:+$why; }no 'LINUXCHECK online 0-1'"
    grep -aq "reboot: Power down" "$tmp/linux.a.out" || why="${why:+$why; }no 'reboot: Power down'"
    report "$([[ -z $why ]]; echo $?)" "linux -smp 2 -deterministic: both CPUs online, a clean power-off" "$why" \
        "console: $(grep -aE 'LINUXCHECK|Kernel panic|BUG' "$tmp/linux.a.out" | head -n 5 | tr '\n' '|')"
    cmp -s "$tmp/linux.a.out" "$tmp/linux.b.out"
    report $? "linux: two runs print the same console, timestamps and all" "$(differ linux.a linux.b out)"
    hashes linux.a >"$tmp/linux.a.h"
    hashes linux.b >"$tmp/linux.b.h"
    why=""
    [[ $(grep -c ' at ' "$tmp/linux.a.h") == 2 ]] || why="want 2 hashes, got: $(tr '\n' '|' <"$tmp/linux.a.h")"
    cmp -s "$tmp/linux.a.h" "$tmp/linux.b.h" || why="${why:+$why; }$(differ linux.a linux.b h)"
    report "$([[ -z $why ]]; echo $?)" "linux: the same state hash at 100M and 300M instructions and at the end" "$why"
fi

# every vCPU halted with interrupts off and no timer armed: stopped, with the reason
cat >"$tmp/halt.S" <<'EOF'
    .section .text
    .align 4
    .long 0x1badb002, 0, -0x1badb002 /* Multiboot 1 header: magic, flags, checksum */
    .globl _start
_start:
    cli
1:  hlt
    jmp 1b
EOF
if as --32 -o "$tmp/halt.o" "$tmp/halt.S" 2>"$tmp/as.err" &&
    ld -m elf_i386 -N -Ttext=0x100000 -e _start -o "$tmp/halt.elf" "$tmp/halt.o" 2>>"$tmp/as.err"; then
    det halt -kernel "$tmp/halt.elf"
    why=""
    [[ $(cat "$tmp/halt.rc") == 4 ]] || why="exit status $(cat "$tmp/halt.rc"), want 4 (stopped abnormally)"
    grep -q "every vCPU is halted .*nothing can wake them" "$tmp/halt.err" || why="${why:+$why; }no reason on the log"
    report "$([[ -z $why ]]; echo $?)" "CLI; HLT with no timer: stopped with the reason, not a hang" "$why" \
        "stderr: $(head -n 3 "$tmp/halt.err" | tr '\n' '|')"
else
    report 1 "CLI; HLT with no timer: the test kernel assembles" "$(tr '\n' '|' <"$tmp/as.err")"
fi

((n == PLAN)) || echo "# the plan says $PLAN tests, but $n ran"
((failed == 0 && n == PLAN))
