#!/bin/bash
# seabios.sh: how far Debian's SeaBIOS gets on baremu's reset vector, as TAP.
#
#   tests/firmware/seabios.sh build/baremu [ROM]
#
# Boots ROM (default /usr/share/seabios/bios.bin, package seabios) with
# -bios at -smp 1 and -smp 2, its log on the debug console (-debugcon: port
# 0x402, where QEMU builds of SeaBIOS print), no disk. The log must show
# each milestone below in order, ending where SeaBIOS has looked at every
# boot device and found none ("No bootable device"); then the run is
# stopped (SeaBIOS would wait 60 s and reboot). A regression anywhere on
# the way (CPU, real mode, PAM shadowing, fw_cfg, PCI, timers, SMP start-up)
# stops the log short of a milestone, which the failing line names.
set -u

bin=${1:?usage: $0 path/to/baremu [ROM]}
rom=${2:-/usr/share/seabios/bios.bin}
LIMIT=60 # seconds for one boot to reach the end; about 2 s on a quiet machine
END='No bootable device'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
tap() { # tap OK DESCRIPTION
    n=$((n + 1))
    if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

if [[ ! -x $bin || ! -f $rom ]]; then
    echo "1..1"
    echo "not ok 1 - $bin is built and $rom exists (scripts/setup installs seabios)"
    exit 1
fi

# milestones, in the order SeaBIOS 1.16 reaches them (src/post.c, fw/paravirt.c, ...)
milestones() { # ncpus RAM_BYTES_HEX
    cat <<-EOF2
	SeaBIOS (version
	Running on QEMU (i440fx)
	Found QEMU fw_cfg
	QEMU fw_cfg DMA interface supported
	qemu/e820: addr 0x0000000000000000 len 0x$2 [RAM]
	Relocating init from
	=== PCI bus & bridge init ===
	Found 1 PCI devices
	PCI: init bdf=00:00.0 id=8086:1237
	Found $1 cpu(s) max supported $1 cpu(s)
	Copying MPTABLE
	Copying SMBIOS
	Found 1 serial ports
	All threads complete.
	Scan for option roms
	e820 map has
	enter handle_19:
	Booting from Floppy...
	Booting from Hard Disk...
	$END
	EOF2
}

boot() { # boot NCPUS: runs until END appears or LIMIT passes; the log in $tmp/log.NCPUS
    local log=$tmp/log.$1
    : >"$log"
    "$bin" -smp "$1" -m 128M -bios "$rom" -debugcon "file:$log" -serial none \
        >"$tmp/out.$1" 2>"$tmp/err.$1" &
    local pid=$! t=0
    while ((t < LIMIT * 10)) && kill -0 "$pid" 2>/dev/null && ! grep -qF "$END" "$log"; do
        sleep 0.1
        t=$((t + 1))
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

echo "1..6"
for cpus in 1 2; do
    boot "$cpus"
    log=$tmp/log.$cpus
    # each milestone after the one before it
    at=0 missing=""
    while IFS= read -r m; do
        rest=$(tail -n +$((at + 1)) "$log" | grep -nF -m1 -- "$m" | cut -d: -f1)
        if [[ -z $rest ]]; then
            missing=$m
            break
        fi
        at=$((at + rest))
    done < <(milestones "$cpus" 0000000008000000)
    tap "$([[ -z $missing ]]; echo $?)" \
        "smp$cpus: SeaBIOS's log passes every milestone in order to '$END'${missing:+ (stopped before '$missing')}"
    if [[ -n $missing ]]; then
        echo "# the log's last lines:"
        tail -n 8 "$log" | sed 's/^/#   /'
        tail -n 3 "$tmp/err.$cpus" | sed 's/^/#   stderr: /'
    fi
    ! grep -qE 'triple fault|unexpected|panic' "$tmp/err.$cpus"
    tap $? "smp$cpus: no triple fault or emulator complaint on stderr"
    # XXX: the i8042 has no keyboard behind it, so SeaBIOS's keyboard reset times out
    ! grep -E 'WARNING|ERROR' "$log" | grep -qv 'ps2_recvbyte'
    tap $? "smp$cpus: SeaBIOS warns of nothing but the missing PS/2 keyboard"
done
[[ $n == 6 ]] || exit 1
echo "# $((n - failed)) passed, $failed failed"
[[ $failed == 0 ]]
