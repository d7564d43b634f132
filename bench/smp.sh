#!/usr/bin/env bash
# SMP benchmarks (issue 7): scaling, IPI latency and timer lateness of the
# guests in bench/smp/ on four engines, side by side, on this machine:
#
#   baremu  build/baremu, the hosted program (one pinned thread per vCPU)
#   metal   build/baremu.elf, the bare-metal kernel, under QEMU TCG
#           (-accel tcg,thread=multi, -smp N): one vCPU per QEMU core
#   qemu    QEMU TCG itself, MTTCG (-accel tcg,thread=multi -smp N)
#   bochs   Bochs 2.7, cpu: count=N, quantum=16, through a GRUB ISO
#
# Writes bench/smp.md and the plots bench/smp-scaling.png, bench/smp-ipi.png,
# bench/smp-jitter.png (gnuplot). An engine that is not installed is
# reported as missing. Method: bench/smp.md, docs/timing.md.
#
# Environment: ENGINES (default "baremu metal qemu bochs"), SECS (jitter:
# seconds per timer, default 10), SCALE_SECS (scaling: seconds of workload
# per run, default 3; Bochs twice that), RUNS (scaling runs per point,
# default 2), TRIPS (IPI round trips per mode, default 10000; Bochs a fifth),
# OUT_MD (default bench/smp.md), PLOT_DIR (default bench). About 12 minutes
# with the defaults on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."

ENGINES=${ENGINES:-"baremu metal qemu bochs"}
SECS=${SECS:-10}
SCALE_SECS=${SCALE_SECS:-3}
RUNS=${RUNS:-2}
TRIPS=${TRIPS:-10000}
OUT_MD=${OUT_MD:-bench/smp.md}
PLOT_DIR=${PLOT_DIR:-bench}
BUILD=build
GDIR=$BUILD/bench/smp
WORK=$BUILD/bench/smp-run
QEMU=qemu-system-x86_64
MEM=128             # MiB, every guest
BOCHS_IPS=50000000  # Bochs's virtual clock (as tests/guest/run)
BOCHS_CPU=corei7_haswell_4770 # offers TSC-deadline (tests/guest/tests.list, apic_timer)
LIN_TOL=5000 # count(2n) - 2 count(n) + count(0): printing 64-bit figures (libgcc division) varies by a few thousand
SMPS="1 2"

die() {
    echo "bench/smp.sh: $*" >&2
    exit 1
}

mkdir -p "$WORK" "$PLOT_DIR"
make -s --no-print-directory smp-bench-guests || die "building bench/smp failed"
[[ -x $BUILD/baremu ]] || die "$BUILD/baremu is not built (make hosted)"
[[ -f $BUILD/baremu.elf ]] || die "$BUILD/baremu.elf is not built (make kernel)"
# copies: a rebuild during the run must not change what is measured
cp "$BUILD/baremu" "$WORK/baremu" && cp "$BUILD/baremu.elf" "$WORK/baremu.elf" || die "cannot copy the builds"
baremu_built=$(date -u -r "$BUILD/baremu" '+%Y-%m-%d %H:%M UTC')

. bench/lib.sh
field() { # file prefix-regex key: the value of key= on the last line matching
    tr -d '\r' <"$1" | grep -a -E "$2" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n 1
}

# ---- engines: run GUEST SMP ARGS: sets US (wall µs), CPU, OUT (its serial log) --
US=0 CPU=0 RC=0 OUT=
run_baremu() { # guest smp args [extra baremu options...]
    local g=$1 smp=$2 args=$3
    shift 3
    OUT=$WORK/baremu.out
    local rc
    timed timeout -k 5 900 "$WORK/baremu" "$@" -smp "$smp" -m ${MEM}M -kernel "$GDIR/$g.elf" -append "$args" \
        </dev/null >"$OUT" 2>"$WORK/baremu.err"
    rc=$RC
    ((rc == 1)) || { tail -n 5 "$OUT" "$WORK/baremu.err" >&2; die "baremu $g smp=$smp '$args': exit status $rc"; }
    check_done baremu "$g"
}

qemu_boot() { # engine guest smp args boot-args...
    local e=$1 g=$2 smp=$3 args=$4
    shift 4
    OUT=$WORK/$e.out
    : >"$OUT"
    local rc
    timed timeout -k 5 900 $QEMU -accel tcg,thread=multi -smp "$smp" -display none -monitor none \
        -serial "file:$OUT" -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" \
        </dev/null >/dev/null 2>"$WORK/$e.err"
    rc=$RC
    ((rc == 1)) || { tail -n 5 "$OUT" "$WORK/$e.err" >&2; die "$e $g smp=$smp '$args': QEMU exit status $rc"; }
    check_done "$e" "$g"
}
run_qemu() { qemu_boot qemu "$1" "$2" "$3" -m ${MEM}M -kernel "$GDIR/$1.elf" -append "$3"; }
run_metal() {
    qemu_boot metal "$1" "$2" "$3" -m $((MEM + 256))M -kernel "$WORK/baremu.elf" -initrd "$GDIR/$1.elf" \
        -append "-smp $2 -m ${MEM}M -kernel $1.elf -append '$3' -exit"
}

# Bochs: a GRUB ISO per guest and command line; its clock runs free
# (sync=none) for scaling, whose time is taken outside, and follows the
# host (sync=realtime) for the IPI and timer guests
run_bochs() { # guest smp args
    local g=$1 smp=$2 args=$3 key dir sync=realtime
    [[ $g = scaling ]] && sync=none
    key=$(echo "$g $smp $args" | md5sum | cut -c1-12)
    dir=$WORK/bochs/$key
    [[ -f $dir/boot.iso ]] || grub_iso "$dir" "$GDIR/$g.elf" "$args"
    bochs_rc "$dir" "$MEM" "model=$BOCHS_CPU, count=$smp, ips=$BOCHS_IPS, quantum=16, reset_on_triple_fault=0" \
        "clock: sync=$sync" "port_e9_hack: enabled=1"
    rm -f "$dir/com1.out"
    bochs_boot() { (cd "$dir" && timeout -k 5 1800 script -qfc "bochs -q -f bochsrc -rc cont" /dev/null \
        </dev/null >term.out 2>&1); }
    timed bochs_boot
    OUT=$dir/com1.out
    tr -d '\r' <"$dir/term.out" | grep -aq 'Shutdown port: shutdown requested' ||
        die "bochs $g smp=$smp: Bochs stopped without the guest's shutdown (see $dir)"
    check_done bochs "$g"
}

check_done() { # engine guest
    tr -d '\r' <"$OUT" | grep -aqx "$2: done" || {
        tr -d '\r' <"$OUT" | tail -n 5 >&2
        die "$1 $2: no '$2: done' line (log: $OUT)"
    }
}

# ---- which engines ------------------------------------------------------
declare -A SKIP
has() { [[ " $ENGINES " = *" $1 "* && -z ${SKIP[$1]:-} ]]; }
for e in $ENGINES; do
    case $e in
    baremu) ;;
    metal | qemu) command -v $QEMU >/dev/null || SKIP[$e]="$QEMU is not installed" ;;
    bochs) why=$(bochs_missing) && [[ -n $why ]] && SKIP[bochs]=$why ;;
    *) die "unknown engine '$e' (baremu metal qemu bochs)" ;;
    esac
    [[ -n ${SKIP[$e]:-} ]] && echo "bench/smp.sh: $e not run: ${SKIP[$e]}" >&2
done
declare -A NAME=([baremu]="baremu hosted" [metal]="baremu bare metal under QEMU TCG"
    [qemu]="QEMU TCG (MTTCG)" [bochs]="Bochs 2.7")

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(now_us)

# ---- scaling --------------------------------------------------------------
# instructions per iteration, from baremu -stats at one vCPU: count(0),
# count(n), count(2n) must be linear
stats_count() { # iters
    run_baremu scaling 1 "iters=$1" -stats
    sed -n 's/^baremu: all vCPUs retired \([0-9]*\) instructions.*/\1/p' "$WORK/baremu.err"
}
n=1000000
c0=$(stats_count 0) c1=$(stats_count $n) c2=$(stats_count $((2 * n)))
[[ -n $c0 && -n $c1 && -n $c2 ]] || die "no instruction counts from baremu -stats"
lin=$((c2 - 2 * c1 + c0))
((lin >= -LIN_TOL && lin <= LIN_TOL)) || die "scaling: count not linear in iters: $c0 $c1 $c2"
B=$(calc "($c2 - $c0) / (2 * $n)")
echo "scaling: $B instructions per iteration (count(0) = $c0)"

declare -A ITERS T0 TN C0 CN SPAN MIPS GMIPS CMIPS EFF
declare -A NCAL=([baremu]=2000000 [metal]=100000 [qemu]=20000000 [bochs]=2000000)
for e in $ENGINES; do
    has $e || continue
    secs=$SCALE_SECS
    [[ $e = bochs ]] && secs=$((SCALE_SECS * 2))
    target=$((secs * 1000000))
    # calibrate at one vCPU: grow n until the workload takes a third of the target, then scale
    "run_$e" scaling 1 "iters=0"
    "run_$e" scaling 1 "iters=0"
    t0=$US n=${NCAL[$e]}
    for ((try = 0; try < 5; try++)); do
        "run_$e" scaling 1 "iters=$n"
        dt=$((US - t0))
        ((dt >= target / 3)) && break
        f=$((target / (dt > 1000 ? dt : 1000)))
        ((f < 2)) && f=2
        ((f > 50)) && f=50
        n=$((n * f))
    done
    n=$(calc "int($n * $target / ($dt > 0 ? $dt : 1))")
    ((n > 4000000000)) && n=4000000000
    ITERS[$e]=$n
    for smp in $SMPS; do
        z=() t=() s=() zc=() tc=()
        for ((r = 0; r < RUNS; r++)); do
            "run_$e" scaling $smp "iters=0"
            z+=("$US") zc+=("$CPU")
            "run_$e" scaling $smp "iters=$n"
            t+=("$US") tc+=("$CPU")
            s+=("$(field "$OUT" '^scaling: cpus=' span_ns)")
        done
        T0[$e:$smp]=$(median "${z[@]}") TN[$e:$smp]=$(median "${t[@]}") SPAN[$e:$smp]=$(median "${s[@]}")
        C0[$e:$smp]=$(median "${zc[@]}") CN[$e:$smp]=$(median "${tc[@]}")
        c=$((CN[$e:$smp] - C0[$e:$smp]))
        CMIPS[$e:$smp]=$(calc "$smp * $B * $n / ($c > 0 ? $c : 1)")
        w=$((TN[$e:$smp] - T0[$e:$smp]))
        ((w > 0)) || die "$e smp=$smp: iters=$n was not slower than iters=0"
        MIPS[$e:$smp]=$(calc "$smp * $B * $n / $w")
        GMIPS[$e:$smp]=$(calc "$smp * $B * $n * 1000 / ${SPAN[$e:$smp]}")
        printf '  %-6s smp=%s iters=%-10s wall %6.2f s - %5.2f s  %9.1f MIPS (guest TSC: %.1f)\n' $e $smp $n \
            "$(calc "${TN[$e:$smp]} / 1e6")" "$(calc "${T0[$e:$smp]} / 1e6")" "${MIPS[$e:$smp]}" "${GMIPS[$e:$smp]}"
    done
    EFF[$e]=$(calc "${MIPS[$e:2]} / (2 * ${MIPS[$e:1]})")
    EFF[g$e]=$(calc "${GMIPS[$e:2]} / (2 * ${GMIPS[$e:1]})")
    EFF[c$e]=$(calc "${CMIPS[$e:2]} / ${CMIPS[$e:1]}")
    printf '  %-6s efficiency %.2f (guest TSC: %.2f); MIPS per CPU-second at 2 vCPUs / at 1: %.2f\n' $e \
        "${EFF[$e]}" "${EFF[g$e]}" "${EFF[c$e]}"
done

# ---- IPI latency ------------------------------------------------------------
declare -A IPI TSCFROM
for e in $ENGINES; do
    has $e || continue
    trips=$TRIPS
    [[ $e = bochs ]] && trips=$((TRIPS / 5 > 0 ? TRIPS / 5 : 1))
    "run_$e" ipi 2 "trips=$trips"
    TSCFROM[$e]=$(field "$OUT" '^ipi: tsc_hz=' from)
    for mode in spin halt; do
        for k in trips lost p50_ns p99_ns p99.9_ns max_ns min_ns; do
            IPI[$e:$mode:$k]=$(field "$OUT" "^ipi: target=$mode " "$k")
        done
        printf '  %-6s ipi %s: p50 %s p99 %s max %s ns\n' $e $mode "${IPI[$e:$mode:p50_ns]}" \
            "${IPI[$e:$mode:p99_ns]}" "${IPI[$e:$mode:max_ns]}"
    done
done

# ---- timer lateness ----------------------------------------------------------
declare -A JIT
HIST=$WORK/jitter-hist.dat
: >"$HIST"
for e in $ENGINES; do
    has $e || continue
    "run_$e" jitter 2 "secs=$SECS"
    cp "$OUT" "$WORK/jitter-$e.log"
    JIT[$e:deadline_offered]=$(tr -d '\r' <"$OUT" | grep -aq '^jitter: deadline not offered' && echo no || echo yes)
    JIT[$e:lapic_from]=$(field "$OUT" '^jitter: lapic_hz=' from)
    for tm in periodic deadline; do
        for k in n missed p50_ns p99_ns p99.9_ns max_ns; do
            JIT[$e:$tm:$k]=$(field "$OUT" "^jitter: $tm cpu=all " "$k")
        done
        # the text histogram's lines: engine timer bucket-index label count
        tr -d '\r' <"$OUT" | grep -a "^jitter: $tm [<>]" |
            sed -E "s/^jitter: $tm ([<>]=? *[0-9]+ [mun]?s) \|#* +([0-9]+) .*/\1|\2/" |
            while IFS='|' read -r label count; do echo "$e $tm \"$label\" $count"; done >>"$HIST"
        [[ -n ${JIT[$e:$tm:n]} ]] && printf '  %-6s %s: p50 %s p99 %s p99.9 %s max %s ns (missed %s)\n' $e $tm \
            "${JIT[$e:$tm:p50_ns]}" "${JIT[$e:$tm:p99_ns]}" "${JIT[$e:$tm:p99.9_ns]}" "${JIT[$e:$tm:max_ns]}" \
            "${JIT[$e:$tm:missed]}"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
total_s=$(calc "($(now_us) - $start) / 1e6")

# ---- plots ------------------------------------------------------------------
us() { [[ -n ${1:-} ]] && calc "$1 / 1000" || echo "NaN"; }
DAT=$WORK/plot
mkdir -p "$DAT"
: >"$DAT/scaling.dat"
: >"$DAT/ipi.dat"
for e in $ENGINES; do
    has $e || continue
    echo "\"${e}\" ${MIPS[$e:1]} ${MIPS[$e:2]} $(calc "2 * ${MIPS[$e:1]}")" >>"$DAT/scaling.dat"
    for mode in spin halt; do
        echo "\"$e $mode\" $(us "${IPI[$e:$mode:p50_ns]}") $(us "${IPI[$e:$mode:p99_ns]}") $(us "${IPI[$e:$mode:max_ns]}")" >>"$DAT/ipi.dat"
    done
done
plot_ok=yes
if command -v gnuplot >/dev/null; then
    gnuplot <<-EOF2 || plot_ok="gnuplot failed"
		set terminal pngcairo size 900,500 font ",10" noenhanced
		set style data histograms
		set style histogram clustered gap 1
		set style fill solid 0.8 border -1
		set grid ytics
		set logscale y
		set format y "%g"
		set key top right
		set output "$PLOT_DIR/smp-scaling.png"
		set title "SMP scaling: aggregate guest MIPS (wall time), 1 and 2 vCPUs on 2 host cores"
		set ylabel "guest MIPS (log scale)"
		plot "$DAT/scaling.dat" using 2:xtic(1) title "1 vCPU", '' using 3 title "2 vCPUs", '' using 4 title "2 x 1 vCPU (perfect scaling)"
		set output "$PLOT_DIR/smp-ipi.png"
		set title "IPI round trip vCPU 0 -> vCPU 1 -> vCPU 0, target spinning or halted"
		set ylabel "microseconds (log scale)"
		set xtics rotate by -30
		plot "$DAT/ipi.dat" using 2:xtic(1) title "p50", '' using 3 title "p99", '' using 4 title "max"
	EOF2
    # the jitter histograms: one line per engine and timer, fraction of ticks per 1-2-5 bucket
    labels=("< 100 ns" "< 200 ns" "< 500 ns" "<   1 us" "<   2 us" "<   5 us" "<  10 us" "<  20 us" "<  50 us"
        "< 100 us" "< 200 us" "< 500 us" "<   1 ms" "<   2 ms" "<   5 ms" "<  10 ms" "<  20 ms" "<  50 ms"
        "< 100 ms" "< 200 ms" "< 500 ms" "<   1 s" ">=  1 s")
    plots=() xt=""
    for ((i = 0; i < ${#labels[@]}; i++)); do xt+="${xt:+, }\"${labels[i]// /}\" $i"; done
    for e in $ENGINES; do
        has $e || continue
        for tm in periodic deadline; do
            [[ -n ${JIT[$e:$tm:n]:-} ]] || continue
            f=$DAT/jitter-$e-$tm.dat
            : >"$f"
            for ((i = 0; i < ${#labels[@]}; i++)); do
                c=$(awk -v e="$e" -v t="$tm" -v l="\"${labels[i]}\"" '$1 == e && $2 == t {
                        s = $0; sub(/^[^"]*/, "", s); lab = substr(s, 1, index(substr(s, 2), "\"") + 1)
                        if (lab == l) { n = $NF } } END { print n + 0 }' "$HIST")
                echo "$i $(calc "$c / ${JIT[$e:$tm:n]}")" >>"$f"
            done
            plots+=("\"$f\" using 1:(\$2 > 0 ? \$2 : 1/0) with linespoints title \"$e $tm\"")
        done
    done
    if ((${#plots[@]})); then
        gnuplot <<-EOF2 || plot_ok="gnuplot failed"
			set terminal pngcairo size 900,500 font ",10" noenhanced
			set output "$PLOT_DIR/smp-jitter.png"
			set title "Timer lateness at 10 kHz on each of 2 vCPUs: fraction of ticks per bucket"
			set logscale y
			set yrange [1e-6:1]
			set format y "%g"
			set ylabel "fraction of ticks (log scale)"
			set xlabel "lateness (bucket upper bound)"
			set xtics ($xt) rotate by -45
			set grid
			plot $(IFS=,; echo "${plots[*]}")
		EOF2
    fi
else
    plot_ok="gnuplot is not installed (scripts/setup installs gnuplot-nox)"
fi

# ---- report -----------------------------------------------------------------
fmt() { [[ -n ${1:-} ]] && printf "%.${2:-1}f" "$1" || echo "n/a"; }
ns_us() { [[ -n ${1:-} ]] && printf '%.1f' "$(calc "$1 / 1000")" || echo "n/a"; }
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- emu hosted firmware kernel bench/smp 2>/dev/null || commit="$commit, with uncommitted changes"
{
    echo "# SMP: scaling, IPI latency and timer lateness on four engines"
    echo
    echo "The guests of \`bench/smp/\` on the hosted \`build/baremu\`, on the bare-metal \`build/baremu.elf\`"
    echo "under QEMU TCG, on QEMU TCG itself and on Bochs 2.7, side by side in one run of \`bench/smp.sh\`"
    echo "(\`make bench\`), all on the machine described below. Generated; do not edit. Method: the end of"
    echo "this page and [docs/timing.md](../docs/timing.md)."
    echo
    echo "## Scaling"
    echo
    echo "Each vCPU runs the same integer loop (\`bench/smp/scaling.c\`, $(printf '%.1f' "$B") instructions an"
    echo "iteration, counted by baremu's \`-stats\`) for the same number of iterations; aggregate MIPS ="
    echo "vCPUs x instructions / wall time, the wall time at iters=N less that at iters=0. Parallel"
    echo "efficiency = aggregate MIPS at 2 vCPUs / (2 x MIPS at 1 vCPU). Issue 7's target: **>= 0.9 for"
    echo "baremu**; Bochs measured about 0.65 here before."
    echo
    echo "| engine | iters per vCPU | MIPS, 1 vCPU | MIPS, 2 vCPUs | efficiency | by guest TSC: 1 vCPU | 2 vCPUs | efficiency | MIPS per CPU-second, 2 vCPUs / 1 |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for e in $ENGINES; do
        if ! has $e; then echo "| ${NAME[$e]} | missing: ${SKIP[$e]:-not run} | | | | | | | |"; continue; fi
        echo "| ${NAME[$e]} | ${ITERS[$e]} | $(fmt "${MIPS[$e:1]}") | $(fmt "${MIPS[$e:2]}") | **$(fmt "${EFF[$e]}" 2)** | $(fmt "${GMIPS[$e:1]}") | $(fmt "${GMIPS[$e:2]}") | $(fmt "${EFF[g$e]}" 2) | $(fmt "${EFF[c$e]}" 2) |"
    done
    echo
    for e in baremu metal; do
        has $e || continue
        if [[ $(calc "${EFF[$e]} >= 0.9") = 1 ]]; then v="met"; else v="**not met**"; fi
        echo "- Efficiency target (>= 0.9), ${NAME[$e]}: $(fmt "${EFF[$e]}" 2), $v."
    done
    echo
    echo "The last column divides by the user+sys CPU time the engine's processes used instead of wall"
    echo "time: near 1 means each vCPU ran as fast alongside another as alone, so that whatever"
    echo "efficiency is lost went to waiting for a host core, not to the engine's own SMP costs (shared"
    echo "cache lines, locks, kicks). The 2 host cores are shared with other work (the load average is under"
    echo "\"The machine\"): with anything else runnable, two busy vCPU threads cannot both have a core all"
    echo "the time, which holds every engine that needs two cores below 0.9. Bochs runs all its CPUs in"
    echo "turn on one host thread (\`quantum=16\`), so its wall-time efficiency cannot pass 0.5; its"
    echo "guest-TSC columns are its virtual time, which scales by construction."
    echo
    has baremu && has bochs && echo "- baremu / Bochs at 2 vCPUs: $(fmt "$(calc "${MIPS[baremu:2]} / ${MIPS[bochs:2]}")" 2)x."
    has baremu && has qemu && echo "- baremu / QEMU TCG at 2 vCPUs: $(fmt "$(calc "${MIPS[baremu:2]} / ${MIPS[qemu:2]}")" 3)x."
    echo
    echo "![scaling](smp-scaling.png)"
    echo
    echo "## IPI latency"
    echo
    echo "Round trips vCPU 0 -> vCPU 1 -> vCPU 0 (\`bench/smp/ipi.c\`): vCPU 0 reads its TSC, writes the ICR,"
    echo "vCPU 1's handler sends an IPI back, and vCPU 0's handler reads the TSC at its entry. The target"
    echo "spins with interrupts on, or waits in STI;HLT; 50 µs between trips. In µs:"
    echo
    echo "| engine | TSC from | trips | spinning: p50 | p99 | max | halted: p50 | p99 | max | lost |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for e in $ENGINES; do
        if ! has $e; then echo "| ${NAME[$e]} | missing: ${SKIP[$e]:-not run} | | | | | | | | |"; continue; fi
        echo "| ${NAME[$e]} | ${TSCFROM[$e]} | ${IPI[$e:spin:trips]} | $(ns_us "${IPI[$e:spin:p50_ns]}") | $(ns_us "${IPI[$e:spin:p99_ns]}") | $(ns_us "${IPI[$e:spin:max_ns]}") | $(ns_us "${IPI[$e:halt:p50_ns]}") | $(ns_us "${IPI[$e:halt:p99_ns]}") | $(ns_us "${IPI[$e:halt:max_ns]}") | $((${IPI[$e:spin:lost]:-0} + ${IPI[$e:halt:lost]:-0})) |"
    done
    echo
    echo "![IPI latency](smp-ipi.png)"
    echo
    echo "## Timer lateness"
    echo
    echo "On each of 2 vCPUs at once, a 10 kHz LAPIC periodic timer for $SECS s, then a TSC-deadline timer"
    echo "re-armed every tick for $SECS s where CPUID offers it (\`bench/smp/jitter.c\`); lateness = guest"
    echo "TSC at handler entry - the tick's due time, both vCPUs' ticks together. In µs; \"missed\" counts"
    echo "periodic ticks that merged into a later one (more than a period late) and deadline re-syncs."
    echo "Issue 7's target, **p99.9 under 1 µs, is for real hardware**: see below."
    echo
    echo "| engine | timer | ticks | p50 | p99 | p99.9 | max | missed |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for e in $ENGINES; do
        if ! has $e; then echo "| ${NAME[$e]} | missing: ${SKIP[$e]:-not run} | | | | | | |"; continue; fi
        for tm in periodic deadline; do
            if [[ -z ${JIT[$e:$tm:n]:-} ]]; then
                echo "| ${NAME[$e]} | TSC-deadline | not offered | | | | | |"
                continue
            fi
            label=LAPIC\ periodic && [[ $tm = deadline ]] && label=TSC-deadline
            echo "| ${NAME[$e]} | $label | ${JIT[$e:$tm:n]} | $(ns_us "${JIT[$e:$tm:p50_ns]}") | $(ns_us "${JIT[$e:$tm:p99_ns]}") | $(ns_us "${JIT[$e:$tm:p99.9_ns]}") | $(ns_us "${JIT[$e:$tm:max_ns]}") | ${JIT[$e:$tm:missed]} |"
        done
    done
    echo
    echo "![timer lateness](smp-jitter.png)"
    echo
    for e in baremu metal; do
        has $e || continue
        echo "The guest's own histogram on ${NAME[$e]} (as the image's menu entry prints it):"
        echo
        echo '```'
        tr -d '\r' <"$WORK/jitter-$e.log" | grep -a -E '^jitter: (periodic|deadline) ([<>]|cpu=all)'
        echo '```'
        echo
    done
    echo "What these figures are:"
    echo
    echo "- **No engine here runs on bare metal.** The bare-metal kernel can only be reached through QEMU"
    echo "  on this machine, and under TCG each of its cores is a QEMU thread that Linux schedules, so its"
    echo "  figures measure QEMU and the host scheduler more than baremu: they are reported for what they"
    echo "  are. The hosted build's vCPUs are pinned threads (one per host core) whose HLT sleeps in a"
    echo "  futex wait with a timeout, so its lateness is the Linux host's timer and wake-up latency"
    echo "  (probably most of its p50: Linux lets a timed wait of an ordinary thread end up to 50 µs late,"
    echo "  its default timer slack, and the wake-up adds to it); the"
    echo "  2 cores are shared with other work (load below). The p99.9 < 1 µs target is for real hardware,"
    echo "  where the kernel owns every core: boot the image's \"baremu: timer jitter (10 s)\" entry"
    echo "  ([docs/timing.md](../docs/timing.md)). **It is not shown met by any figure here.**"
    echo "- **Bochs's clock is virtual.** Its TSC counts emulated instructions (\`ips\`) and its timers fire"
    echo "  at instruction boundaries, so its lateness is the handful of instructions between the due"
    echo "  time and the handler, the same every tick; \`clock: sync=realtime\` only keeps its PIT, against"
    echo "  which the guest calibrates the TSC, near the host's time."
    echo "- QEMU TCG 7.2 offers no TSC-deadline timer (reported as not offered) and no CPUID 0x15: its TSC"
    echo "  rate comes from the PIT."
    echo
    echo "## The machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $cpu_model, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- load average (1, 5, 15 min): $load_before before the run, $load_after after; the 2 cores are"
    echo "  shared with other sessions' work, which shows up in the tails"
    echo "- host: $(uname -sr), $(gcc --version | head -n1)"
    echo "- baremu: \`build/baremu\` and \`build/baremu.elf\` built $baremu_built, tree at commit $commit"
    echo "- QEMU: $($QEMU --version 2>/dev/null | head -n1), \`-accel tcg,thread=multi\`, default CPU model;"
    echo "  the bare-metal kernel gets $((MEM + 256)) MiB and the guest $MEM MiB"
    echo "- Bochs: Debian \`bochs\` $(dpkg-query -W -f='${Version}' bochs 2>/dev/null || echo '?'), \`cpu: model=$BOCHS_CPU,"
    echo "  count=N, ips=$BOCHS_IPS, quantum=16\`, \`display_library: term\` under \`script\`, booted from a"
    echo "  GRUB ISO (\`multiboot\`)"
    echo "- every guest: $MEM MiB; scaling at 1 and 2 vCPUs, IPI and timers at 2"
    echo "- this run took ${total_s%.*} s; plots: $plot_ok"
    echo
    echo "## Method"
    echo
    echo "- **Guests** (\`bench/smp/\`, Multiboot 1 kernels on \`tests/guest/rt/\`, built by \`make"
    echo "  smp-bench-guests\`) print their figures on COM1 as \`NAME: key=value\` lines, which this script"
    echo "  parses. They measure with RDTSC and convert with the TSC rate from CPUID 0x15 (baremu: exact),"
    echo "  else CPUID 0x16, else PIT channel 0 counted over 100 ms (QEMU TCG, Bochs); the source is in the"
    echo "  IPI table. Percentiles come from a histogram with 16 buckets per power of two (at most 6% high);"
    echo "  maxima are exact."
    echo "- **Scaling**: the instruction count per iteration comes from baremu's \`-stats\` at 1 vCPU,"
    echo "  iters 0, n and 2n (checked linear to $LIN_TOL instructions); every engine runs the same ELF, and"
    echo "  every vCPU prints the same checksum. Per engine, iters is calibrated at 1 vCPU so that the"
    echo "  workload takes about $SCALE_SECS s (Bochs $((SCALE_SECS * 2)) s), then the same iters per vCPU runs at 1"
    echo "  and 2 vCPUs, medians of $RUNS runs, each against a run at iters=0 (boot, AP start-up, exit)."
    echo "  The guest-TSC columns divide by the guest's own span from the first vCPU's start to the last"
    echo "  one's end instead (for Bochs that is virtual time)."
    echo "- **IPI**: $TRIPS round trips per mode ($((TRIPS / 5)) on Bochs), 50 µs apart."
    echo "- **Timers**: see [docs/timing.md](../docs/timing.md) for how due times are defined."
    echo
    echo "## How to reproduce"
    echo
    echo '```sh'
    echo "make all && bench/smp.sh                       # or make bench, which runs every benchmark"
    echo "SECS=2 SCALE_SECS=1 TRIPS=2000 ENGINES=\"baremu qemu\" OUT_MD=/tmp/smp.md PLOT_DIR=/tmp bench/smp.sh"
    echo "build/baremu -smp 2 -kernel build/bench/smp/jitter.elf -append secs=2"
    echo '```'
} >"$OUT_MD"
echo "bench/smp.sh: wrote $OUT_MD (${total_s%.*} s)"
