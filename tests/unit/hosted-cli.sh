#!/bin/bash
# hosted-cli.sh: the command-line behaviour of the hosted program, as TAP.
#
#   tests/unit/hosted-cli.sh build/baremu
#
# A bad command line must end with status 2, nothing on stdout and exactly
# one line on stderr, "baremu: <message>", naming the option and the value.
# -h prints the usage on stdout with status 0. A good command line runs the
# guest and ends with the guest's isa-debug-exit status, as QEMU would.
# -dump-tables DIR writes the firmware tables and exits 0, or 1 with one line.
set -u

bin=${1:?usage: $0 path/to/baremu}
if [[ ! -x $bin ]]; then
    printf '1..1\nnot ok 1 - %s is built\n' "$bin"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kernel=$tmp/kernel.bin
disk=$tmp/disk.img
printf 'not really a kernel' >"$kernel"
: >"$disk"

n=0
failed=0
out=$tmp/stdout
err=$tmp/stderr

# run ARGS...: runs the program, sets status, stdout and stderr files
run() {
    "$bin" "$@" >"$out" 2>"$err"
    status=$?
}

report() { # report OK DESCRIPTION [DIAGNOSTIC]
    n=$((n + 1))
    if [[ $1 == 0 ]]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=$((failed + 1))
        echo "#   $3"
        echo "#   status $status; stdout: $(head -c 200 "$out" | tr '\n' '|')"
        echo "#   stderr: $(head -c 400 "$err" | tr '\n' '|')"
    fi
}

# bad DESCRIPTION NEEDLE... -- ARGS...: status 2, one stderr line with every NEEDLE
bad() {
    local desc=$1
    shift
    local needles=()
    while [[ $1 != -- ]]; do
        needles+=("$1")
        shift
    done
    shift
    run "$@"
    local lines why=""
    lines=$(wc -l <"$err")
    if [[ $status != 2 ]]; then
        why="exit status $status, want 2"
    elif [[ -s $out ]]; then
        why="stdout is not empty"
    elif [[ $lines != 1 ]]; then
        why="$lines lines on stderr, want 1"
    elif [[ $(cat "$err") != "baremu: "* ]]; then
        why="stderr does not start with 'baremu: '"
    else
        for needle in "${needles[@]}"; do
            grep -qF -- "$needle" "$err" || why="stderr does not name '$needle'"
        done
    fi
    report "$([[ -z $why ]]; echo $?)" "$desc" "$why"
}

PLAN=47
echo "1..$PLAN"

run -h
why=""
[[ $status == 0 ]] || why="exit status $status, want 0"
grep -q '^usage: baremu' "$out" || why="${why:-no usage on stdout}"
grep -q -- '-smp N' "$out" || why="${why:-usage does not list -smp}"
[[ -s $err ]] && why="${why:-stderr is not empty}"
report "$([[ -z $why ]]; echo $?)" "-h prints the usage on stdout and exits 0" "$why"

run --help
report "$([[ $status == 0 ]] && grep -q '^usage: baremu' "$out"; echo $?)" \
    "--help prints the usage and exits 0" "want status 0 and the usage"

bad "-smp abc is refused" "-smp" "'abc'" "not a number" -- -smp abc -kernel "$kernel"
bad "-smp 0 is refused" "-smp" "0 vCPUs" "out of range" -- -smp 0 -kernel "$kernel"
bad "-smp 1025 is refused" "-smp" "1025" -- -smp 1025 -kernel "$kernel"
bad "-m 12X is refused" "-m" "'12X'" "unknown suffix 'X'" -- -m 12X -kernel "$kernel"
bad "-m 99999999999999999999G overflows" "-m" "99999999999999999999G" "out of range" -- \
    -m 99999999999999999999G -kernel "$kernel"
bad "-m 1 is below the minimum" "-m" "'1'" "out of range" -- -m 1 -kernel "$kernel"
bad "an unknown option is refused" "unknown option '-foo'" -- -foo -kernel "$kernel"
bad "a stray argument is refused" "'disk.img'" -- -kernel "$kernel" disk.img
bad "-kernel without its argument" "-kernel: missing argument" -- -kernel
bad "-smp without its argument" "-smp: missing argument" -- -kernel "$kernel" -smp
bad "no -kernel at all" "-kernel" -- -smp 2
bad "a missing -kernel file" "-kernel: cannot open '$tmp/none'" "No such file or directory" -- \
    -kernel "$tmp/none"
bad "a directory as -kernel" "-kernel" "'$tmp'" "not a regular file" -- -kernel "$tmp"
bad "a missing -initrd file" "-initrd: cannot open" "$tmp/none" -- -kernel "$kernel" \
    -initrd "$tmp/none"
bad "a missing -drive file" "-drive: cannot open" "$tmp/none" -- -kernel "$kernel" \
    -drive "file=$tmp/none,format=raw"
bad "-drive format=qcow2 is refused" "-drive" "'qcow2'" -- -kernel "$kernel" \
    -drive "file=$disk,format=qcow2"
bad "-exit is for the bare-metal kernel only" "-exit" "bare-metal" -- -exit -kernel "$kernel"
bad "-hostbench is for the bare-metal kernel only" "-hostbench" "bare-metal" -- \
    -hostbench -kernel "$kernel"

bad "-d with an unknown item is refused" "-d" "'foo'" "not a log item" "int, cpu_reset" -- \
    -d int,foo -kernel "$kernel"
bad "-rip-history 0 is refused" "-rip-history" "out of range" -- -rip-history 0 -kernel "$kernel"
bad "-quantum needs -deterministic" "-quantum: needs -deterministic" -- -quantum 100 -kernel "$kernel"
bad "-hash-at needs -deterministic" "-hash-at: needs -deterministic" -- -hash-at 100 -kernel "$kernel"
bad "-quantum 0 is refused" "-quantum" "0 is out of range" -- -deterministic -quantum 0 -kernel "$kernel"
bad "-quantum x is refused" "-quantum" "'x'" "not a number" -- -deterministic -quantum x -kernel "$kernel"
bad "-hash-at counts must rise" "-hash-at" "5 is not above" -- -deterministic -hash-at 9,5 -kernel "$kernel"
bad "-io-core is not for -deterministic" "-io-core: not with -deterministic" -- -io-core -deterministic -kernel "$kernel"
bad "-hash-at 0 is refused" "-hash-at" "out of range" -- -deterministic -hash-at 0 -kernel "$kernel"
bad "a file that is no kernel" "-kernel" "not a Linux bzImage" -- -kernel "$kernel"

# -bios: the ROM image is checked before anything runs
rom_empty=$tmp/empty.rom rom_odd=$tmp/odd.rom rom_big=$tmp/big.rom
: >"$rom_empty"
head -c 65537 /dev/zero >"$rom_odd"
truncate -s 17M "$rom_big"
bad "a missing -bios file" "-bios: cannot open '$tmp/none'" "No such file or directory" -- \
    -bios "$tmp/none"
bad "a directory as -bios" "-bios" "not a regular file" -- -bios "$tmp"
bad "an empty -bios ROM" "-bios" "empty" -- -bios "$rom_empty"
bad "an odd-sized -bios ROM" "-bios" "not a multiple of 64 KiB" -- -bios "$rom_odd"
bad "an oversized -bios ROM" "-bios" "larger than 16 MiB" -- -bios "$rom_big"
bad "-bios with -kernel" "-bios" "-kernel" -- -bios "$rom_odd" -kernel "$kernel"
bad "-bios without its argument" "-bios: missing argument" -- -bios
bad "-debugcon with a bad chardev" "-debugcon" "stdio or file:PATH" -- -debugcon pipe:x \
    -kernel "$kernel"

# a good command line runs the guest: the runtime's self-test, which ends
# through isa-debug-exit with 0, so the status is (0 << 1) | 1 as under QEMU
guest=build/tests/guest/rt_selftest.elf
if [[ -f $guest ]]; then
    run -smp 4 -m 64M -kernel "$guest" -drive "file=$disk,format=raw,if=virtio" -append "cpus=4"
    why=""
    [[ $status == 1 ]] || why="exit status $status, want 1"
    grep -qF "baremu: machine: 4 vCPUs, 64 MiB RAM, kernel $guest" "$err" ||
        why="${why:-no machine summary on stderr}"
    grep -q "^ok " "$out" || why="${why:-no TAP from the guest on stdout}"
    report "$([[ -z $why ]]; echo $?)" "a good command line runs the guest to its exit status" "$why"
else
    n=$((n + 1))
    echo "ok $n - a good command line runs the guest # SKIP $guest is not built (make guest-programs)"
fi

# more RAM than fits below the MMIO hole: the rest lies above 4 GiB
if [[ -f $guest ]]; then
    run -m 5G -kernel "$guest" -append "cpus=1"
    why=""
    [[ $status == 1 ]] || why="exit status $status, want 1"
    grep -qF "baremu: machine: 1 vCPU, 5 GiB RAM" "$err" || why="${why:-no machine summary with 5 GiB}"
    report "$([[ -z $why ]]; echo $?)" "-m 5G (2 GiB of it above 4 GiB) runs the guest" "$why"
else
    n=$((n + 1))
    echo "ok $n - -m 5G runs the guest # SKIP $guest is not built (make guest-programs)"
fi

# the debugging aids (docs/user-guide.md): each names what a user needs to see
# has NEEDLE...: every needle is on stderr, else why= says which is missing
has() {
    for needle in "$@"; do
        grep -qF -- "$needle" "$err" || why="${why:-stderr lacks '$needle'}"
    done
}
skip_debug() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $guest is not built (make guest-programs)"
}
smp_guest=build/tests/guest/smp_lock.elf
if [[ -f $guest && -f $smp_guest ]]; then
    run -d int -kernel "$guest" -append "cpus=1 mode=ud"
    why=""
    has "vCPU 0: #UD at 0008:" "bytes 0f 0b"
    report "$([[ -z $why ]]; echo $?)" "-d int logs the #UD with CS:RIP and its bytes" "$why"

    run -rip-history 4 -kernel "$guest" -append "cpus=1 mode=triple"
    why=""
    [[ $status == 4 ]] || why="exit status $status, want 4 (a triple fault)"
    has "triple fault on vCPU 0" "vCPU 0 (shut down by a triple fault): 32-bit protected mode" \
        "rip 0000000000" "idtr 0000000000000000/0000" "last exception #GP error 0x43" \
        "the last 4 instructions and events" "-> int 0x03" "-> #GP" "-> #DF"
    report "$([[ -z $why ]]; echo $?)" \
        "a triple fault dumps the vCPU's registers and its last RIPs (-rip-history)" "$why"

    run -smp 2 -d cpu_reset -kernel "$smp_guest" -append "cpus=2 iters=100 lock_iters=10"
    why=""
    [[ $status == 1 ]] || why="exit status $status, want 1"
    has "boot entry:" "vCPU 0 (running): 32-bit protected mode" "INIT, the state before it:" \
        "vCPU 1 (waiting for SIPI): real mode" "vCPU 1: SIPI vector 0x"
    report "$([[ -z $why ]]; echo $?)" "-d cpu_reset shows the entry, each INIT and each SIPI" \
        "$why"

    run -d guest_errors -kernel "$guest" -append "cpus=1 mode=wild"
    why=""
    has "vCPU 0: unassigned mmio read at 0xfe000000, size 4, from 0008:" \
        "vCPU 0: unassigned port write of 0x80 at 0x2fb, size 1" "vCPU 0: rdmsr 0x4b4d5352 raises #GP"
    report "$([[ -z $why ]]; echo $?)" \
        "-d guest_errors logs unassigned MMIO and ports and a bad MSR" "$why"

    # SIGUSR1: every vCPU logs its registers and the guest goes on; here it
    # sits in cli; hlt, so the dump must wake it and let it sleep again
    "$bin" -kernel "$guest" -append "cpus=1 mode=hang" >"$out" 2>"$err" &
    pid=$!
    why="no dump after SIGUSR1 within 30 s"
    for ((k = 0; k < 300; k++)); do
        sleep 0.1
        kill -USR1 $pid 2>/dev/null
        if grep -q "vCPU 0 (halted)" "$err"; then
            why=""
            break
        fi
    done
    kill -0 $pid 2>/dev/null || why="${why:-the guest did not go on after the dump}"
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    status=$?
    has "register dump requested:" "code at rip: "
    report "$([[ -z $why ]]; echo $?)" "SIGUSR1 dumps every vCPU and the guest goes on" "$why"
else
    for what in "-d int" "-rip-history" "-d cpu_reset" "-d guest_errors" "SIGUSR1"; do
        skip_debug "$what"
    done
fi

run -smp 2 -m 256M -dump-tables "$tmp/tables"
why=""
[[ $status == 0 ]] || why="exit status $status, want 0"
for f in RSDP RSDT XSDT FACP FACS APIC HPET DSDT SSDT; do
    [[ -s $tmp/tables/$f.dat ]] || why="${why:-no $f.dat}"
done
for f in mptable.bin smbios.bin e820.txt; do
    [[ -s $tmp/tables/$f ]] || why="${why:-no $f}"
done
report "$([[ -z $why ]]; echo $?)" "-dump-tables writes every table without -kernel, exits 0" "$why"

run -dump-tables "$kernel/sub"
why=""
[[ $status == 1 ]] || why="exit status $status, want 1"
[[ $(wc -l <"$err") == 1 ]] && grep -q "^baremu: -dump-tables: cannot create '$kernel/sub'" "$err" ||
    why="${why:-want one line naming -dump-tables and the directory}"
report "$([[ -z $why ]]; echo $?)" "-dump-tables into a path that cannot be a directory fails" "$why"

[[ $n == "$PLAN" ]] || { echo "# the plan says $PLAN tests, but $n ran" >&2; exit 1; }
echo "# $((n - failed)) passed, $failed failed"
[[ $failed == 0 ]]
