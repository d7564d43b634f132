#!/usr/bin/env bash
# Host instructions per guest instruction: the workloads of bench/guest/ on
# build/baremu and on Bochs, each under valgrind --tool=callgrind. A count,
# not a time: it does not move with the load on the machine, which the
# wall-clock suite (bench/cpu.sh) does. Writes bench/cpu-ir.md.
#
# - Guest instructions are baremu's count (-stats) at iters=0 and iters=N:
#   the same basis as bench/cpu.sh (a REP is one per dispatch).
# - baremu: Ir inside cpu_run (--toggle-collect=cpu_run) at iters=N,
#   divided by its whole count (the part at iters=0 is under 0.1%).
# - Bochs: whole-process Ir at iters=N minus at iters=0 (its BIOS, GRUB and
#   the guest's set-up cancel), divided by the guest instructions between.
#   Debian's /usr/bin/bochs is a script: bochs-bin is what runs under
#   valgrind. Bochs under callgrind takes about 4 minutes a run.
#
# Environment: ENGINES (default "baremu bochs"), WORKLOADS (default all
# twelve), OUT_MD (default bench/cpu-ir.md), GUEST_INSNS (default 30000000,
# the guest instructions at iters=N; a tenth for the string workloads).
set -uo pipefail
cd "$(dirname "$0")/.."

ENGINES=${ENGINES:-"baremu bochs"}
WORKLOADS=${WORKLOADS:-"alu branch mem call string interp alu64 branch64 mem64 call64 string64 interp64"}
OUT_MD=${OUT_MD:-bench/cpu-ir.md}
GUEST_INSNS=${GUEST_INSNS:-30000000}
BUILD=build
GDIR=$BUILD/bench/guest
WORK=$BUILD/bench/cpu-ir
BAREMU=$BUILD/baremu
MEM=128

die() {
    echo "bench/cpu-ir.sh: $*" >&2
    exit 1
}
. bench/lib.sh
command -v valgrind >/dev/null || die "valgrind is not installed"
mkdir -p "$WORK"
make -s --no-print-directory -f bench/guest/Makefile BUILD=$BUILD || die "building bench/guest failed"
[[ -x $BAREMU ]] || die "$BAREMU is not built (make hosted)"

args() { # workload iters
    local e
    e=$("$GDIR/${1%64}.host" "$2") || die "$GDIR/${1%64}.host $2 failed"
    printf 'iters=0x%08x expect=%s' "$2" "$e"
}

count() { # workload iters: baremu's instruction count
    local err=$WORK/count.err
    "$BAREMU" -stats -m ${MEM}M -kernel "$GDIR/$1.elf" -append "$(args "$1" "$2")" </dev/null \
        >"$WORK/count.out" 2>"$err"
    tr -d '\r' <"$WORK/count.out" | grep -qx '# checksum ok' || die "baremu $1 iters=$2: no checksum ok"
    sed -n 's/^baremu: all vCPUs retired \([0-9]*\) instructions.*/\1/p' "$err"
}

ir_baremu() { # workload iters
    local cg=$WORK/baremu.cg
    valgrind --tool=callgrind --callgrind-out-file="$cg" --collect-atstart=no \
        --toggle-collect=cpu_run "$BAREMU" -m ${MEM}M -kernel "$GDIR/$1.elf" \
        -append "$(args "$1" "$2")" </dev/null >"$WORK/vg.out" 2>"$WORK/vg.err"
    tr -d '\r' <"$WORK/vg.out" | grep -qx '# checksum ok' ||
        die "baremu $1 iters=$2 under callgrind: no checksum ok"
    sed -n 's/^summary: //p' "$cg"
}

ir_bochs() { # workload iters: Ir of the whole Bochs process
    local dir=$WORK/bochs-$1-$2
    grub_iso "$dir" "$GDIR/$1.elf" "$(args "$1" "$2")"
    bochs_rc "$dir" "$MEM" "count=1, ips=50000000, reset_on_triple_fault=0"
    (cd "$dir" && timeout 7200 script -qfc "valgrind --tool=callgrind --log-file=vg.log \
        --callgrind-out-file=cg /usr/bin/bochs-bin -q -f bochsrc -rc cont" /dev/null \
        </dev/null >term.out 2>&1)
    tr -d '\r' <"$dir/com1.out" | grep -qx '# checksum ok' || die "bochs $1 iters=$2: no checksum ok (see $dir)"
    sed -n 's/^summary: //p' "$dir/cg"
    rm -f "$dir/cg"
}

declare -A PER IRB IRX
rows=
for w in $WORKLOADS; do
    c0=$(count "$w" 0) && c1=$(count "$w" 1) || exit 1
    per=$((c1 - c0))
    target=$GUEST_INSNS
    [[ $w == string* ]] && target=$((GUEST_INSNS / 10))
    n=$((target / per + 1))
    cn=$(count "$w" $n) || exit 1
    d=$((cn - c0))
    PER[$w]=$per
    line="| $w | $n | $d"
    for e in baremu bochs; do
        if [[ " $ENGINES " != *" $e "* ]]; then
            line+=" | |"
            continue
        fi
        if [[ $e == baremu ]]; then
            ir=$(ir_baremu "$w" $n) || exit 1
            v=$(awk "BEGIN { printf \"%.1f\", $ir / $cn }")
        else
            i0=$(ir_bochs "$w" 0) && i1=$(ir_bochs "$w" $n) || exit 1
            v=$(awk "BEGIN { printf \"%.1f\", ($i1 - $i0) / $d }")
        fi
        eval "IR_$e=$v"
        line+=" | $v"
        echo "$w $e: $v host instructions per guest instruction" >&2
    done
    if [[ " $ENGINES " == *" baremu "* && " $ENGINES " == *" bochs "* ]]; then
        line+=" | $(awk "BEGIN { printf \"%.2f\", $IR_bochs / $IR_baremu }")"
    else
        line+=" | "
    fi
    rows+="$line |"$'\n'
done

{
    echo "# Guest CPU cost in host instructions: baremu and Bochs under callgrind"
    echo
    echo "Host instructions (callgrind's Ir) per guest instruction of the \`bench/guest/\` workloads, from"
    echo "\`bench/cpu-ir.sh\`. Generated; do not edit. A count, independent of the load on the machine;"
    echo "the wall-clock comparison is \`bench/cpu.md\`, and a host instruction of one engine is not"
    echo "worth one of the other (their instructions per cycle differ)."
    echo
    echo "| workload | iters | guest instructions (baremu's count) | baremu Ir / guest instruction | Bochs Ir / guest instruction | Bochs / baremu |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    printf '%s' "$rows"
    echo
    echo "## Method"
    echo
    sed -n '/^# - Guest instructions/,/^# *valgrind. Bochs/p' "$0" | sed 's/^# \{0,1\}//'
    echo
    echo "## The machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); tree at commit $(git rev-parse --short HEAD 2>/dev/null)"
    echo "- $(valgrind --version); Bochs: Debian \`bochs\` $(dpkg-query -W -f '${Version}' bochs 2>/dev/null)"
    echo "- host: $(uname -r), $(gcc --version | head -n 1)"
} >"$OUT_MD"
echo "bench/cpu-ir.sh: wrote $OUT_MD" >&2
