#!/usr/bin/env bash
# The host kernel's own timing: boot build/baremu.elf with -hostbench under
# QEMU at -smp 2 and keep what it prints: IPI round trips (target busy and
# target halted) and the quiet-core test. Writes bench/host.md.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=build/bench
mkdir -p "$OUT"
ACCEL=$(scripts/qemu-accel)
SMP=${SMP:-2}
log=$OUT/hostbench.log
timeout 300 qemu-system-x86_64 $ACCEL -smp "$SMP" -m 256M -display none -serial "file:$log" -monitor none \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -kernel build/baremu.elf -append "-smp $SMP -hostbench -exit" </dev/null
status=$?
((status == 1)) || { echo "bench/host.sh: the kernel ended with QEMU status $status; see $log" >&2; exit 1; }
grep -q '^hostbench: done' "$log" || { echo "bench/host.sh: no 'hostbench: done' in $log" >&2; exit 1; }

{
    echo "# Host kernel timing (\`-hostbench\`)"
    echo
    echo "What the bare-metal kernel measures of the machine under it, with nothing else running:"
    echo
    echo "- **ipi round trip**: core A sends a fixed IPI to core B, which is busy (spinning with interrupts on);"
    echo "  B's handler writes a reply that A spins on. 10,000 trips per ordered pair."
    echo "- **wake from hlt**: the same, with B halted in its idle loop (HLT), 20 µs between trips."
    echo "- **host_kick->wake**: the same wake-up through \`emu/host.h\` as a vCPU will use it: core 1 waits in"
    echo "  \`host_wait()\`, core 0 calls \`host_kick(1)\` (a flag, plus an IPI because the target is halted)."
    echo "- **deadline late**: core 1 calls \`host_wait()\` with a deadline 100 µs ahead, 2,000 times, and records how"
    echo "  late it returns: the timer lateness every guest timer inherits from the host."
    echo "- **quiet core**: one core reads the TSC in a tight loop for 1 s with interrupts off and reports"
    echo "  the longest gap between consecutive reads. Every gap far above the loop's own cost is time"
    echo "  taken from the core by something outside the kernel (an SMI, a virtualization exit, or here,"
    echo "  QEMU's own threads being scheduled by the Linux host)."
    echo
    echo "Written by \`bench/host.sh\` (\`make bench\`)."
    echo
    echo "## This run"
    echo
    echo "- date: $(date -u +%Y-%m-%d)"
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- QEMU: $(qemu-system-x86_64 --version | head -n1), \`-smp $SMP\`, accelerator \`${ACCEL#-accel }\`"
    echo
    echo "Under QEMU TCG each guest core is a host thread of QEMU's, so these figures measure QEMU and the"
    echo "Linux scheduler under it as much as the kernel; on real hardware the same option measures the"
    echo "machine itself."
    echo
    echo '```'
    grep -a -E '^(hostbench|tsc|apic|cpus online)' "$log"
    echo '```'
} >bench/host.md
cat bench/host.md
