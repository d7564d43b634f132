#!/bin/bash
# linux-baremu.sh: Debian's stock Linux 6.1 cloud kernel booted by baremu
# itself, up to its busybox userspace and an ACPI power-off, as TAP.
#
#   tests/linux/linux-baremu.sh [--fetch] [--engine baremu|qemu] [--smp "1 2 4"]
#
# For each -smp N the kernel boots from baremu's bzImage loader and tables;
# Linux brings up every AP itself (INIT-SIPI-SIPI through its real-mode
# trampoline); the initramfs /init (tests/linux/init) runs a shell workload
# pinned with taskset to each CPU, reads each CPU's local timer interrupt
# count from /proc/interrupts and powers off with poweroff -f (ACPI \_S5).
# The checks read the guest's console, never the clock:
#   - the machine powers off through ACPI S5 (baremu exit status 0);
#   - Linux reports N CPUs brought up, and /sys says 0-(N-1) are online;
#   - every AP was started by the guest: baremu's -d cpu_reset log has a
#     SIPI for vCPUs 1..N-1, each starting in real mode;
#   - the workload ran on each CPU it was pinned to, with the right result;
#   - each CPU took local APIC timer interrupts (LOC > 0);
#   - no kernel BUG, WARNING, Oops or panic.
#
# --engine qemu runs the same kernel, initramfs and command line under QEMU
# TCG (the reference; the SIPI check is baremu's own and is skipped there).
# The kernel comes from build/linux/ as tests/firmware/linux-boot.sh finds it
# ($BAREMU_LINUX_KERNEL, or --fetch to download it); without one every test
# is skipped.
set -u
cd "$(dirname "$0")/../.."
here=tests/linux
out=build/tests/linux-baremu
mkdir -p "$out"

fetch=0 engine=baremu smps="1 2 4"
while (($#)); do
    case $1 in
    --fetch) fetch=1 ;;
    --engine) engine=${2:?--engine needs baremu or qemu}; shift ;;
    --smp) smps=${2:?--smp needs a list}; shift ;;
    *) echo "usage: $0 [--fetch] [--engine baremu|qemu] [--smp LIST]" >&2; exit 2 ;;
    esac
    shift
done
CHECKS=6
read -ra smp_list <<<"$smps"
echo "1..$((${#smp_list[@]} * CHECKS))"

# the command line: console on COM1, and two honest savings of guest time.
# cryptomgr.notests skips the crypto self-tests (about 0.5 G instructions
# of RSA and DH bignum arithmetic; the integer instructions are checked
# against the host CPU by tests/diff). mitigations=off: an interpreter does
# not speculate, so page-table isolation and retpolines protect nothing.
APPEND="console=ttyS0 panic=-1 cryptomgr.notests=1 mitigations=off"
WORK=2000 # iterations of the pinned workload
RAM=512M

kernel=${BAREMU_LINUX_KERNEL:-}
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
    for ((i = 1; i <= ${#smp_list[@]} * CHECKS; i++)); do echo "ok $i - linux in baremu # SKIP $1"; done
    exit 0
}
[[ -n $kernel && -f $kernel ]] || skip_all "no kernel (give BAREMU_LINUX_KERNEL or --fetch)"
[[ -x /bin/busybox ]] || skip_all "no /bin/busybox (busybox-static)"
if [[ $engine == qemu ]]; then
    command -v qemu-system-x86_64 >/dev/null || skip_all "no qemu-system-x86_64"
elif [[ ! -x build/baremu ]]; then
    skip_all "build/baremu is not built"
fi

# the initramfs: busybox and /init
rm -rf "$out/rootfs" && mkdir -p "$out/rootfs/"{bin,dev,proc,sys}
cp /bin/busybox "$out/rootfs/bin/" && cp "$here/init" "$out/rootfs/init"
(cd "$out/rootfs" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out/initrd.gz"

# what the workload must print: the same loop in bash
sum=0
for ((i = 1; i <= WORK; i++)); do sum=$(((sum * 31 + i) % 1000003)); done

n=0 failed=0 shown=""
report() { # report OK DESCRIPTION LOG [WHY]: the log's key lines once per boot
    n=$((n + 1))
    if [[ $1 == 0 ]]; then
        echo "ok $n - $2"
        return
    fi
    echo "not ok $n - $2"
    failed=$((failed + 1))
    [[ -n ${4:-} ]] && sed 's/^/#   /' <<<"$4"
    [[ $shown == "$3" ]] && return
    shown=$3
    echo "#   log: $3"
    grep -aE 'LINUXCHECK|Brought up|Kernel panic|BUG:|WARNING: CPU|traps:|baremu: [a-z]' "$3" 2>/dev/null |
        grep -v 'baremu: vCPU [0-9]*: SIPI' | head -n 12 | sed 's/^/#   /'
}

for smp in "${smp_list[@]}"; do
    log=$out/$engine-smp$smp.log
    what="$engine -smp $smp"
    if [[ $engine == qemu ]]; then
        timeout 900 qemu-system-x86_64 -accel tcg -m $RAM -smp "$smp" -kernel "$kernel" \
            -initrd "$out/initrd.gz" -append "$APPEND LINUXCHECK_WORK=$WORK" -display none \
            -monitor none -serial stdio -no-reboot </dev/null >"$log" 2>&1
    else
        timeout 900 build/baremu -smp "$smp" -m $RAM -d cpu_reset -kernel "$kernel" \
            -initrd "$out/initrd.gz" -append "$APPEND LINUXCHECK_WORK=$WORK" </dev/null >"$log" 2>&1
    fi
    status=$?
    tr -d '\r' <"$log" >"$log.txt" && mv "$log.txt" "$log"

    why=""
    [[ $status == 0 ]] || why="exit status $status, want 0"
    grep -q "reboot: Power down" "$log" || why="${why:-no 'reboot: Power down'}"
    [[ $engine == qemu ]] || grep -q "^baremu: the guest powered off (ACPI S5)" "$log" ||
        why="${why:-baremu did not see an ACPI S5 power-off}"
    report "$([[ -z $why ]]; echo $?)" "$what: Linux boots to busybox and powers off through ACPI S5" "$log" "$why"

    why=""
    if ((smp == 1)); then want_up="smp: Brought up 1 node, 1 CPU$" want_online=0; else
        want_up="smp: Brought up 1 node, $smp CPUs$" want_online="0-$((smp - 1))"; fi
    grep -qE "$want_up" "$log" || why="no '$want_up'"
    grep -q "^LINUXCHECK online $want_online\$" "$log" || why="${why:-/sys does not say $want_online online}"
    report "$([[ -z $why ]]; echo $?)" "$what: all $smp CPUs online" "$log" "$why"

    why=""
    if [[ $engine == qemu ]]; then
        report 0 "$what: every AP started by the guest's INIT-SIPI-SIPI # SKIP baremu's own log" "$log"
    else
        for ((c = 1; c < smp; c++)); do
            grep -qE "^baremu: vCPU $c: SIPI vector 0x[0-9a-f]{2}: starts at [0-9a-f]{4}:0000 in real mode" "$log" ||
                why="${why:-no SIPI started vCPU $c}"
        done
        report "$([[ -z $why ]]; echo $?)" "$what: every AP started by the guest's INIT-SIPI-SIPI in real mode" "$log" "$why"
    fi

    why=""
    for ((c = 0; c < smp; c++)); do
        grep -q "^LINUXCHECK cpu $c ran on $c and $c, sum $sum\$" "$log" ||
            why="${why:-no 'LINUXCHECK cpu $c ran on $c and $c, sum $sum'}"
    done
    report "$([[ -z $why ]]; echo $?)" "$what: the workload ran on each CPU it was pinned to" "$log" "$why"

    why=""
    loc=$(grep -m1 '^LINUXCHECK LOC ' "$log" | cut -d' ' -f3- | sed 's/ *$//')
    read -ra counts <<<"$loc"
    [[ ${#counts[@]} == "$smp" ]] || why="LOC has ${#counts[@]} counts ('$loc'), want $smp"
    for ((c = 0; c < ${#counts[@]}; c++)); do
        ((counts[c] > 0)) || why="${why:-CPU $c took no local timer interrupt}"
    done
    report "$([[ -z $why ]]; echo $?)" "$what: every CPU took local APIC timer interrupts ($loc)" "$log" "$why"

    bad=$(grep -aE 'BUG:|WARNING: CPU|Oops|Kernel panic|Call Trace' "$log" | head -n 3)
    report "$([[ -z $bad ]]; echo $?)" "$what: no kernel BUG, WARNING, Oops or panic" "$log" "$bad"
done
echo "# $((n - failed)) passed, $failed failed"
((failed == 0))
