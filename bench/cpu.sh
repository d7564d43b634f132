#!/usr/bin/env bash
# Guest CPU speed: the benchmark guests of bench/guest/ (one Multiboot 1
# kernel per workload) on build/baremu (hosted), on Bochs 2.7 (through a GRUB
# ISO) and on QEMU TCG, side by side. Writes bench/cpu.md.
#
# Method (bench/cpu.md says it again):
# - Instructions: a property of the guest program, counted by baremu
#   (-stats) at iters=0, n and 2n; a workload runs the same instructions in
#   every iteration, so count(N) - count(0) = b * N, which is checked. Every
#   engine runs the same ELF, and its checksum (checked against the host
#   build of the same C code) shows it took the same path.
# - Time: per engine, the wall time at iters=N minus the wall time at
#   iters=0 (boot, firmware, GRUB, exit), medians of RUNS runs each,
#   interleaved, with N picked per engine from a calibration run so that
#   the workload itself takes about SECS seconds.
# - MIPS = b * N / time / 1e6.
#
# Environment: SECS (default 2; BOCHS_SECS for Bochs, default SECS + 1),
# RUNS (default 3), ENGINES (default "baremu bochs qemu"), WORKLOADS
# (default all fourteen), OUT_MD (default bench/cpu.md). About 11 minutes
# with the defaults on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."

SECS=${SECS:-2}
BOCHS_SECS=${BOCHS_SECS:-$((SECS + 1))} # Bochs's boot alone varies by +-0.3 s: longer runs
RUNS=${RUNS:-3}
ENGINES=${ENGINES:-"baremu bochs qemu"}
WORKLOADS=${WORKLOADS:-"alu branch mem call string interp fp alu64 branch64 mem64 call64 string64 interp64 fp64"}
OUT_MD=${OUT_MD:-bench/cpu.md}
BUILD=build
GDIR=$BUILD/bench/guest
WORK=$BUILD/bench/cpu
BAREMU=$BUILD/baremu
QEMU=qemu-system-x86_64
MEM=128             # MiB, every engine
CAL_INSNS=30000000  # counting runs: about this many instructions (or 0.2 s)
LIN_TOL=1000        # count(2n) - 2 count(n) + count(0): the UART's polling varies a little
BOCHS_IPS=50000000  # Bochs's timing model only (as tests/guest/run)

die() {
    echo "bench/cpu.sh: $*" >&2
    exit 1
}

mkdir -p "$WORK"
make -s --no-print-directory -f bench/guest/Makefile BUILD=$BUILD || die "building bench/guest failed"
[[ -x $BAREMU ]] || die "$BAREMU is not built (make hosted)"
# a copy: a rebuild of build/baremu during the run must not change what is measured
cp "$BAREMU" "$WORK/baremu" || die "cannot copy $BAREMU"
baremu_built=$(date -u -r "$BAREMU" '+%Y-%m-%d %H:%M UTC')
BAREMU=$WORK/baremu

# ---- helpers -----------------------------------------------------------
. bench/lib.sh
hex8() { printf '0x%08x' "$1"; }

declare -A EXPECT
ARGS=
cmdline() { # workload iters: sets ARGS, the guest's command line
    local k=${1%64}:$2
    # the checksum, from the host build of the same code (NAME64 is NAME
    # built for long mode: the same code, the same checksum); cached
    if [[ -z ${EXPECT[$k]:-} ]]; then
        EXPECT[$k]=$("$GDIR/${1%64}.host" "$2") || die "$GDIR/${1%64}.host $2 failed"
    fi
    ARGS="iters=$(hex8 "$2") expect=${EXPECT[$k]}"
}

# a run's guest output must end in "checksum ok" and status 0; else stop loudly
check_output() { # engine workload iters out [stderr]
    if ! tr -d '\r' <"$4" | grep -qx '# checksum ok' || ! tr -d '\r' <"$4" | grep -qx '# guest-exit: 0'; then
        echo "bench/cpu.sh: $1 $2 iters=$3: the guest did not confirm its checksum:" >&2
        tr -d '\r' <"$4" | tail -n 5 | sed 's/^/  guest: /' >&2
        [[ -n ${5:-} ]] && tail -n 5 "$5" | sed 's/^/  stderr: /' >&2
        exit 1
    fi
}

# ---- engines: each runs WORKLOAD at ITERS once, sets US and CPU (timed) --
COUNT=
run_baremu() { # workload iters
    local out=$WORK/baremu.out err=$WORK/baremu.err
    cmdline "$1" "$2"
    timed timeout -k 5 $((SECS * 30 + 60)) "$BAREMU" -stats -m ${MEM}M -kernel "$GDIR/$1.elf" \
        -append "$ARGS" </dev/null >"$out" 2>"$err"
    local rc=$RC
    ((rc == 1)) || { tail -n 5 "$out" "$err" >&2; die "baremu $1 iters=$2: exit status $rc (1 is a pass)"; }
    check_output baremu "$1" "$2" "$out" "$err"
    COUNT=$(sed -n 's/^baremu: all vCPUs retired \([0-9]*\) instructions.*/\1/p' "$err")
    [[ -n $COUNT ]] || die "baremu $1 iters=$2: no instruction count on stderr (-stats)"
}

run_qemu() { # workload iters
    local out=$WORK/qemu.out err=$WORK/qemu.err
    cmdline "$1" "$2"
    : >"$out"
    timed timeout -k 5 $((SECS * 30 + 60)) "$QEMU" -accel tcg -m ${MEM}M -display none -monitor none \
        -serial "file:$out" -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -kernel "$GDIR/$1.elf" -append "$ARGS" </dev/null >/dev/null 2>"$err"
    local rc=$RC
    ((rc == 1)) || { tail -n 5 "$out" "$err" >&2; die "qemu $1 iters=$2: exit status $rc (1 is a pass)"; }
    check_output qemu "$1" "$2" "$out" "$err"
}

bochs_iso() { # workload iters: a GRUB ISO booting the guest with its command line
    local dir=$WORK/bochs/$1-$2
    [[ -f $dir/boot.iso ]] && return
    cmdline "$1" "$2"
    grub_iso "$dir" "$GDIR/$1.elf" "$ARGS"
    bochs_rc "$dir" "$MEM" "count=1, ips=$BOCHS_IPS, reset_on_triple_fault=0"
}

bochs_boot() { # dir
    (cd "$1" && timeout -k 5 $((SECS * 30 + 120)) script -qfc "bochs -q -f bochsrc -rc cont" /dev/null \
        </dev/null >term.out 2>&1)
}

run_bochs() { # workload iters
    local dir=$WORK/bochs/$1-$2 said
    bochs_iso "$1" "$2"
    rm -f "$dir/com1.out"
    timed bochs_boot "$dir"
    said=$(tr -d '\r' <"$dir/term.out" | grep -a -A1 'Bochs is exiting with the following message' | tail -n 1)
    [[ $said = *"Shutdown port: shutdown requested"* ]] ||
        die "bochs $1 iters=$2: Bochs stopped without the guest's shutdown: ${said:-no message} (see $dir)"
    check_output bochs "$1" "$2" "$dir/com1.out" "$dir/bochs.log"
}

# ---- the instruction count of each workload, from baremu ---------------
declare -A B C0 LIN NCAL NBAREMU
count_workload() { # workload: sets B[w] (instructions per iteration), C0[w], NCAL[w]
    local w=$1 c0 t0 cn c2n n=1 dt d f
    run_baremu "$w" 0
    c0=$COUNT
    t0=$US
    # n: enough iterations for CAL_INSNS instructions or 0.2 s of baremu
    while :; do
        run_baremu "$w" "$n"
        cn=$COUNT
        dt=$((US - t0))
        ((cn - c0 >= CAL_INSNS || dt >= 200000)) && break
        f=$(calc "int(($cn - $c0 > 0 ? $CAL_INSNS / ($cn - $c0) : 64) + 1)")
        ((f > 200000 / (dt > 0 ? dt : 1) + 1)) && f=$((200000 / (dt > 0 ? dt : 1) + 1))
        ((f < 2)) && f=2
        ((f > 64)) && f=64
        n=$((n * f))
    done
    run_baremu "$w" $((2 * n))
    c2n=$COUNT
    d=$((c2n - 2 * cn + c0))
    ((d >= -LIN_TOL && d <= LIN_TOL)) ||
        die "$w: instruction count not linear in iters: count(0)=$c0 count($n)=$cn count($((2 * n)))=$c2n"
    B[$w]=$(calc "($c2n - $c0) / (2 * $n)")
    C0[$w]=$c0
    LIN[$w]=$d
    # where the engines' calibration starts: about 0.3 s of baremu; and
    # baremu's own N, from the run at 2n
    NCAL[$w]=$(calc "int($n * 300000 / ($dt > 0 ? $dt : 1)) + 1")
    NBAREMU[$w]=$(calc "int(2 * $n * $SECS * 1000000 / ($US - $t0 > 0 ? $US - $t0 : 1)) + 1")
}

# ---- time one engine on one workload ------------------------------------
declare -A LAST_T0 N_OF T0_OF TN_OF MIPS INSNS_OF C0_OF CN_OF MIPS_CPU ALL_T0 ALL_TN
time_engine() { # engine workload
    local e=$1 w=$2 n t0 tn c0 cn dt z=() t=() zc=() tc=() r tries=0
    # calibrate: runs at growing n until the workload takes a good part of
    # the target time, then n scaled to the target
    local secs=$SECS
    [[ $e = bochs ]] && secs=$BOCHS_SECS
    local target=$((secs * 1000000)) enough=$((secs * 1000000 / 3))
    ((enough < 300000)) && enough=300000
    [[ $e = bochs ]] && enough=$((target / 2 > 1000000 ? target / 2 : 1000000))
    if [[ $e = baremu ]]; then # count_workload has timed it already
        n=${NBAREMU[$w]}
    else
        # t0: this engine's last boot at iters=0 (of the previous workload,
        # or a first one, which also warms the caches)
        if [[ -z ${LAST_T0[$e]:-} ]]; then
            "run_$e" "$w" 0
            "run_$e" "$w" 0
            LAST_T0[$e]=$US
        fi
        t0=${LAST_T0[$e]}
        n=${NCAL[$w]}
        while :; do
            "run_$e" "$w" "$n"
            dt=$((US - t0))
            ((dt >= enough || tries >= 4)) && break
            local f=$((target / (dt > 0 ? dt : 1)))
            ((f < 2)) && f=2
            ((f > 64)) && f=64
            n=$((n * f))
            tries=$((tries + 1))
        done
        ((dt > 0)) || dt=1
        n=$(calc "int($n * $target / $dt + 1)")
    fi
    ((n <= 0xffffffff)) || n=0xffffffff
    for ((r = 0; r < RUNS; r++)); do
        "run_$e" "$w" 0
        z+=("$US")
        zc+=("$CPU")
        "run_$e" "$w" "$n"
        t+=("$US")
        tc+=("$CPU")
        if [[ $e = baremu ]]; then # its own count: the figure the others scale from
            local want
            want=$(calc "${C0[$w]} + ${B[$w]} * $n")
            [[ $(calc "($COUNT - $want) ^ 2 <= $LIN_TOL ^ 2") = 1 ]] ||
                die "$w: baremu retired $COUNT instructions at iters=$n, expected about $want"
        fi
    done
    t0=$(median "${z[@]}")
    tn=$(median "${t[@]}")
    LAST_T0[$e]=$t0
    c0=$(median "${zc[@]}")
    cn=$(median "${tc[@]}")
    C0_OF[$e:$w]=$c0
    CN_OF[$e:$w]=$cn
    ((cn > c0)) && MIPS_CPU[$e:$w]=$(calc "${B[$w]} * $n / ($cn - $c0)")
    ALL_T0[$e:$w]="${z[*]}"
    ALL_TN[$e:$w]="${t[*]}"
    N_OF[$e:$w]=$n
    T0_OF[$e:$w]=$t0
    TN_OF[$e:$w]=$tn
    INSNS_OF[$e:$w]=$(calc "${B[$w]} * $n")
    if ((tn <= t0)); then
        die "$e $w: the run at iters=$n ($tn µs) was not slower than at iters=0 ($t0 µs)"
    fi
    MIPS[$e:$w]=$(calc "${B[$w]} * $n / ($tn - $t0)")
    printf '  %-6s %-7s iters=%-10s %6.2f s - %5.2f s = %6.2f s  %9.1f MIPS  (CPU time: %.1f)\n' "$e" "$w" "$n" \
        "$(calc "$tn / 1e6")" "$(calc "$t0 / 1e6")" "$(calc "($tn - $t0) / 1e6")" "${MIPS[$e:$w]}" \
        "${MIPS_CPU[$e:$w]:-0}"
}

# ---- run ---------------------------------------------------------------
declare -A SKIP
if [[ " $ENGINES " = *" bochs "* ]]; then
    why=$(bochs_missing)
    [[ -n $why ]] && SKIP[bochs]=$why && echo "bench/cpu.sh: Bochs not run: $why" >&2
fi
if [[ " $ENGINES " = *" qemu "* ]] && ! command -v $QEMU >/dev/null; then
    SKIP[qemu]="$QEMU is not installed"
    echo "bench/cpu.sh: QEMU not run: ${SKIP[qemu]}" >&2
fi

# the 64-bit variants need long mode (paging, EFER, the mode switches) in
# baremu's interpreter: without it they are left out and the report says so
LONG_NOTE=
if [[ " $WORKLOADS " = *"64 "* ]]; then
    cmdline alu64 0
    timeout -k 5 60 "$BAREMU" -kernel "$GDIR/alu64.elf" -append "$ARGS" </dev/null >"$WORK/probe.out" 2>&1
    if (($? != 1)); then
        LONG_NOTE="baremu cannot run the 64-bit variants yet ($(tr -d '\r' <"$WORK/probe.out" | grep -a -m1 -E 'Bail|fault|baremu:' || echo 'no clean exit')): 64-bit waits on the interpreter's paging and long mode"
        echo "bench/cpu.sh: $LONG_NOTE" >&2
        kept=
        for w in $WORKLOADS; do [[ $w = *64 ]] || kept+=" $w"; done
        WORKLOADS=$kept
    fi
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(now_us)
for w in $WORKLOADS; do
    [[ -f bench/guest/${w%64}.c ]] || die "no workload '$w' (bench/guest/${w%64}.c)"
    count_workload "$w"
    printf '%s: %s instructions per iteration (count(0) = %s)\n' "$w" "${B[$w]}" "${C0[$w]}"
    for e in $ENGINES; do
        [[ -n ${SKIP[$e]:-} ]] && continue
        time_engine "$e" "$w"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
total_s=$(calc "($(now_us) - $start) / 1e6")

# ---- report ------------------------------------------------------------
declare -A WHAT=(
    [alu]="add, sub, logic, shifts, rotates, IMUL, MUL, ADC in four dependency chains"
    [branch]="unpredictable conditional branches, a switch (indirect jump), short data-dependent loops"
    [mem]="loads and stores over 256 KiB: a read-modify-write sweep, scattered loads, byte and word accesses"
    [call]="recursive Fibonacci, calls with 5 stack arguments, indirect calls through a table"
    [string]="REP STOSD/STOSB, REP MOVSD/MOVSB (long and 32-byte), REPE CMPSB/CMPSD"
    [interp]="a stack bytecode VM with a switch dispatch loop"
    [fp]="coupled oscillators in doubles: FADD, FMUL, FDIV, FSQRT, FISTP on the x87 (53-bit precision)"
)
fmt_mips() { [[ -n ${MIPS[$1]:-} ]] && printf '%.1f' "${MIPS[$1]}" || echo "n/a"; }
ratio() { # a b
    if [[ -n ${MIPS[$1]:-} && -n ${MIPS[$2]:-} ]]; then
        printf '%.2f' "$(calc "${MIPS[$1]} / ${MIPS[$2]}")"
    else
        echo "n/a"
    fi
}
has() { [[ " $ENGINES " = *" $1 "* && -z ${SKIP[$1]:-} ]]; }
met=() missed=()
for w in $WORKLOADS; do
    if has baremu && has bochs; then
        if [[ $(calc "${MIPS[baremu:$w]} >= 2 * ${MIPS[bochs:$w]}") = 1 ]]; then met+=("$w"); else missed+=("$w"); fi
    fi
done
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- emu hosted firmware 2>/dev/null || commit="$commit, with uncommitted changes in emu/, hosted/ or firmware/"

rng() { # µs values...: "min-max" in s
    printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo / 1e6, hi / 1e6 }'
}
ratio_cpu() { # a b
    if [[ -n ${MIPS_CPU[$1]:-} && -n ${MIPS_CPU[$2]:-} ]]; then
        printf '%.2f' "$(calc "${MIPS_CPU[$1]} / ${MIPS_CPU[$2]}")"
    else
        echo "n/a"
    fi
}

{
    echo "# Guest CPU speed: baremu against Bochs and QEMU TCG"
    echo
    echo "Guest MIPS of integer and floating-point workloads (\`bench/guest/\`), each a Multiboot 1 kernel, in 32-bit"
    echo "protected mode (NAME) and in 64-bit mode (NAME64), on the hosted \`build/baremu\`, on Bochs"
    echo "and on QEMU TCG, in one run of \`bench/cpu.sh\` (\`make bench\`). Generated; do not edit."
    echo "Issue 4's target is baremu at **2x Bochs or better on every workload**."
    echo
    echo "## Results"
    echo
    echo "| workload | what it does | instructions / iteration | baremu MIPS | Bochs MIPS | QEMU TCG MIPS | baremu / Bochs | baremu / QEMU | 2x Bochs | baremu / Bochs by CPU time |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
    for w in $WORKLOADS; do
        what=${WHAT[${w%64}]:-"(bench/guest/${w%64}.c)"}
        [[ $w = *64 ]] && what="${w%64}, in 64-bit mode"
        [[ $w = fp64 ]] && what="fp in 64-bit mode, in SSE2: ADDSD, MULSD, DIVSD, SQRTSD, CVTTSD2SI"
        verdict="n/a"
        if has baremu && has bochs; then
            [[ $(calc "${MIPS[baremu:$w]} >= 2 * ${MIPS[bochs:$w]}") = 1 ]] && verdict="met" || verdict="**not met**"
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$w" "$what" "$(printf '%.1f' "${B[$w]}")" \
            "$(fmt_mips "baremu:$w")" "$(fmt_mips "bochs:$w")" "$(fmt_mips "qemu:$w")" \
            "$(ratio "baremu:$w" "bochs:$w")" "$(ratio "baremu:$w" "qemu:$w")" "$verdict" \
            "$(ratio_cpu "baremu:$w" "bochs:$w")"
    done
    echo
    if has baremu && has bochs; then
        if ((${#missed[@]} == 0)); then
            echo "**The 2x-Bochs target is met on every workload.**"
        elif ((${#met[@]} == 0)); then
            echo "**The 2x-Bochs target is met on no workload.**"
        else
            echo "**The 2x-Bochs target is met on $(IFS=,; echo "${met[*]}" | sed 's/,/, /g'); it is not met on $(IFS=,; echo "${missed[*]}" | sed 's/,/, /g').**"
        fi
    fi
    for e in bochs qemu; do
        [[ -n ${SKIP[$e]:-} ]] && echo && echo "$e was not run: ${SKIP[$e]}."
    done
    if [[ -n $LONG_NOTE ]]; then
        echo
        echo "No 64-bit figures: $LONG_NOTE."
    fi
    echo
    echo "The last column divides user+sys CPU time instead of wall time (same method otherwise); where it"
    echo "and the wall-time ratio disagree, other load on the machine disturbed the run."
    echo
    echo "### Each measurement"
    echo
    echo "Wall times are medians of $RUNS runs (the range in brackets); the workload's time is the first"
    echo "minus the second."
    echo
    echo "| workload | engine | iters | instructions | s at iters | s at 0 | workload s | MIPS | MIPS by CPU time |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for w in $WORKLOADS; do
        for e in $ENGINES; do
            [[ -n ${MIPS[$e:$w]:-} ]] || continue
            read -ra tn_all <<<"${ALL_TN[$e:$w]}"
            read -ra t0_all <<<"${ALL_T0[$e:$w]}"
            printf '| %s | %s | %s | %.0f | %.2f (%s) | %.2f (%s) | %.2f | %.1f | %s |\n' "$w" "$e" "${N_OF[$e:$w]}" \
                "${INSNS_OF[$e:$w]}" "$(calc "${TN_OF[$e:$w]} / 1e6")" "$(rng "${tn_all[@]}")" \
                "$(calc "${T0_OF[$e:$w]} / 1e6")" "$(rng "${t0_all[@]}")" \
                "$(calc "(${TN_OF[$e:$w]} - ${T0_OF[$e:$w]}) / 1e6")" "${MIPS[$e:$w]}" \
                "$([[ -n ${MIPS_CPU[$e:$w]:-} ]] && printf '%.1f' "${MIPS_CPU[$e:$w]}" || echo n/a)"
        done
    done
    echo
    echo "## The machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $cpu_model, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- load average (1, 5, 15 min): $load_before before the run, $load_after after; anything else running"
    echo "  on the 2 cores shows up as noise in the ranges above"
    echo "- host: $(uname -sr), $(gcc --version | head -n1)"
    echo "- baremu: \`build/baremu\` built $baremu_built, tree at commit $commit (copied before the run)"
    echo "- Bochs: Debian \`bochs\` $(dpkg-query -W -f='${Version}' bochs 2>/dev/null || echo '?'), the Debian"
    echo "  build, which has the internal debugger (that also disables handler chaining); \`cpu: count=1,"
    echo "  ips=$BOCHS_IPS\`, \`display_library: term\` under \`script\`, booted from a GRUB"
    echo "  $(dpkg-query -W -f='${Version}' grub-pc-bin 2>/dev/null || echo '?') ISO (\`multiboot\`)"
    echo "- QEMU: $($QEMU --version | head -n1), \`-accel tcg\`, default CPU model, \`-kernel\` (its"
    echo "  Multiboot loader)"
    echo "- every guest: one vCPU, $MEM MiB"
    echo "- this run took ${total_s%.*} s"
    echo
    echo "## Method"
    echo
    echo "- **Workloads** (\`bench/guest/NAME.c\`, built by \`bench/guest/Makefile\` with \`tests/guest/\`'s runtime"
    echo "  and flags: \`-O2 -mgeneral-regs-only\`, so integer instructions only). NAME.elf is the 32-bit"
    echo "  build; NAME64.elf is the same kernel whose \`bench_run\` (\`bench/guest/long.S\`) enables PAE"
    echo "  paging and long mode, calls the same C code built for x86-64, and returns to protected mode."
    echo "  Each takes \`iters=0xNNNNNNNN expect=0xNNNNNNNN\` on its command line, runs its loop \`iters\`"
    echo "  times, prints the checksum over COM1 and exits with status 0 only if it equals \`expect\`,"
    echo "  which the same C code built for the host (\`build/bench/guest/NAME.host ITERS\`) computes."
    echo "  A wrong checksum on any engine stops the benchmark; every run in these tables was checked."
    echo "- **Instructions** are a property of the guest program, counted by baremu (\`-stats\`: the"
    echo "  instructions every vCPU retired). Each workload executes the same instructions in every"
    echo "  iteration, so count(iters) = count(0) + b x iters: the script counts at 0, n and 2n, checks"
    echo "  that the count is linear (to within $LIN_TOL instructions; the guest's UART polling varies by a"
    echo "  few dozen), takes b from it, and checks baremu's timed runs against it. Bochs and QEMU run"
    echo "  the same ELF, and the checksum shows they took the same path, so b x iters is their count too."
    echo "- **A REP string instruction counts as baremu counts it:** one per dispatch of up to 4096"
    echo "  elements, so about one per REP here, where Bochs and QEMU would count one per element. The"
    echo "  \`string\` MIPS are therefore small, but all three engines divide the same work by their own"
    echo "  time, so its ratios mean what the others do."
    echo "- **Time** is the wall time of the whole engine process at iters=N minus that at iters=0"
    echo "  (process start, firmware, for Bochs also its BIOS and GRUB, loading, exit), the median of"
    echo "  $RUNS runs each, alternating. N is chosen per engine and workload by calibration runs, so that"
    echo "  the workload takes about $SECS s ($BOCHS_SECS s on Bochs, whose boot alone varies by tenths of"
    echo "  a second). MIPS = b x N / (time at N - time at 0)."
    echo "- Bochs's \`ips\` sets its virtual clock (timers) only; execution is not throttled"
    echo "  (\`clock: sync=none\`, the default). The guests run with interrupts off."
    echo
    echo "## How to reproduce"
    echo
    echo '```sh'
    echo "make hosted && bench/cpu.sh           # or make bench, which runs every benchmark"
    echo "SECS=4 RUNS=5 bench/cpu.sh            # longer runs, more of them"
    echo "ENGINES=\"baremu qemu\" WORKLOADS=\"alu alu64\" OUT_MD=/tmp/cpu.md bench/cpu.sh   # a subset"
    echo "make -f bench/guest/Makefile && n=1000 && build/baremu -stats -kernel build/bench/guest/alu.elf \\"
    echo "    -append \"iters=\$(printf 0x%08x \$n) expect=\$(build/bench/guest/alu.host \$n)\""
    echo '```'
    echo
    echo "Bochs needs \`bochs\`, \`bochs-term\`, \`bochsbios\`, \`vgabios\`, \`grub-pc-bin\` and \`xorriso\`."
} >"$OUT_MD"
echo "bench/cpu.sh: wrote $OUT_MD (${total_s%.*} s)"
