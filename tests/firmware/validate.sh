#!/bin/bash
# validate.sh: check the guest's firmware tables with ACPICA, a third party.
#
#   tests/firmware/validate.sh [build/baremu] [SMP...]     (default: 1 4 64 300)
#
# For each vCPU count: dump the tables (-dump-tables), check the RSDP (which
# iasl cannot read), disassemble every other ACPI table with `iasl -d`,
# recompile the disassembled DSDT and SSDT with `iasl -we` (the SSDT's AML
# must come out byte for byte as firmware/aml.c wrote it), count the
# processor objects, and load DSDT+SSDT into
# `acpiexec` in batch mode to evaluate every processor object's _STA and
# \_S5; and read smbios.bin with `dmidecode --from-dump`. Any error or
# warning fails. Output is TAP; the exit status is non-zero on any failure.
set -u

bin=${1:-build/baremu}
shift $(($# > 0 ? 1 : 0))
counts=("$@")
((${#counts[@]})) || counts=(1 4 64 300)
ACPI_TABLES=(RSDT XSDT FACP FACS APIC HPET DSDT SSDT) # and the RSDP, which iasl -d cannot read
EVALS_PER_RUN=30 # acpiexec -b takes at most 1023 characters
X2APIC_MIN_ID=255 # firmware/fw.h FW_X2APIC_MIN_ID: such vCPUs are Device objects in \_SB_
PER_COUNT=$((2 + ${#ACPI_TABLES[@]} + 4)) # dump, RSDP, iasl -d each, recompile, count, acpiexec, dmidecode

echo "1..$((PER_COUNT * ${#counts[@]}))"
if [[ ! -x $bin ]] || ! command -v iasl >/dev/null || ! command -v acpiexec >/dev/null; then
    for ((i = 1; i <= PER_COUNT * ${#counts[@]}; i++)); do
        echo "not ok $i - $bin, iasl and acpiexec are there"
    done
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# report OK DESCRIPTION [LOG]: one TAP line; on failure the log's first lines
report() {
    n=$((n + 1))
    if [[ $1 == 0 ]]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=$((failed + 1))
        [[ -n ${3:-} && -f ${3:-} ]] && head -n 15 "$3" | sed 's/^/#   /'
    fi
}

# ACPICA's words for trouble
bad_words='(warning|error|exception|unexpected|AE_[A-Z_]+|could not|invalid|failure|exceeded)'

# sum BYTES FILE: the byte sum of the first BYTES bytes, mod 256
sum() { od -An -tu1 -v -N "$1" "$2" | tr -s ' ' '\n' | awk 'NF { s += $1 } END { print s % 256 }'; }

# ACPI 6.3 5.2.5.3: signature, revision 2, length 36, both checksums
check_rsdp() {
    local f=$1
    [[ $(head -c 8 "$f") == "RSD PTR " ]] || { echo "bad signature"; return 1; }
    [[ $(stat -c %s "$f") == 36 ]] || { echo "not 36 bytes"; return 1; }
    [[ $(od -An -tu1 -j15 -N1 "$f" | tr -d ' ') == 2 ]] || { echo "revision is not 2"; return 1; }
    [[ $(od -An -tu4 -j20 -N4 "$f" | tr -d ' ') == 36 ]] || { echo "length is not 36"; return 1; }
    [[ $(sum 20 "$f") == 0 ]] || { echo "the ACPI 1.0 checksum is wrong"; return 1; }
    [[ $(sum 36 "$f") == 0 ]] || { echo "the extended checksum is wrong"; return 1; }
}

for smp in "${counts[@]}"; do
    dir=$tmp/smp$smp
    "$bin" -smp "$smp" -m 512M -dump-tables "$dir" >"$tmp/dump.log" 2>&1
    report $? "-smp $smp: -dump-tables writes the tables" "$tmp/dump.log"
    check_rsdp "$dir/RSDP.dat" >"$tmp/rsdp.log" 2>&1
    report $? "-smp $smp: the RSDP has its signature, revision, length and checksums" \
        "$tmp/rsdp.log"

    for t in "${ACPI_TABLES[@]}"; do
        log=$dir/$t.iasl.log
        if [[ -f $dir/$t.dat ]]; then
            (cd "$dir" && iasl -d "$t.dat") >"$log" 2>&1
            status=$?
        else
            echo "no $t.dat" >"$log"
            status=1
        fi
        bad=$(grep -iE "$bad_words" "$log" | grep -vE ' 0 Errors, 0 Warnings' || true)
        [[ $status == 0 && -z $bad && -s $dir/$t.dsl ]]
        report $? "-smp $smp: iasl -d $t.dat is clean" "$log"
    done

    # the disassembled AML must compile again, warnings as errors
    log=$dir/recompile.log
    ok=0
    for t in DSDT SSDT; do
        # 3168: "Legacy Processor() keyword": deliberate, for old guests (ssdt.c)
        (cd "$dir" && iasl -we -vw 3168 -p "$dir/re$t" "$t.dsl") >>"$log" 2>&1 || ok=1
    done
    grep -E 'Compilation successful' "$log" | grep -vqE ' 0 Errors, 0 Warnings' && ok=1
    # and iasl makes the very AML our writer made (the header names another creator)
    cmp <(tail -c +37 "$dir/SSDT.dat") <(tail -c +37 "$dir/reSSDT.aml") >>"$log" 2>&1 || ok=1
    report $ok "-smp $smp: the disassembled DSDT and SSDT recompile with iasl -we, SSDT AML identical" \
        "$log"

    # one processor object per vCPU; APIC IDs (= index) >= 255 as Device objects
    procs=$(grep -cE '^\s*Processor \(C[0-9A-F]{3},' "$dir/SSDT.dsl")
    devs=$(grep -cE '^\s*Device \(C[0-9A-F]{3}\)' "$dir/SSDT.dsl")
    want_devs=$((smp > X2APIC_MIN_ID ? smp - X2APIC_MIN_ID : 0))
    echo "Processor objects: $procs, Device objects: $devs; want $((smp - want_devs)), $want_devs" \
        >"$dir/count.log"
    [[ $procs == $((smp - want_devs)) && $devs == "$want_devs" ]]
    report $? "-smp $smp: the SSDT declares $smp processor objects" "$dir/count.log"

    # acpiexec: every _STA and \_S5, a few dozen per run
    log=$dir/acpiexec.log
    : >"$log"
    status=0
    cmds='evaluate \_S5; '
    for ((i = 0; i <= smp; i++)); do
        if ((i == smp || (i > 0 && i % EVALS_PER_RUN == 0))); then
            (cd "$dir" && acpiexec -b "$cmds" DSDT.dat SSDT.dat) >>"$log" 2>&1 || status=$?
            cmds=""
        fi
        ((i == smp)) && break
        scope=_PR_
        ((i >= X2APIC_MIN_ID)) && scope=_SB_
        cmds+=$(printf 'evaluate \\%s.C%03X._STA; ' "$scope" "$i")
    done
    stas=$(grep -A1 -E '^Evaluation of \\_(PR|SB)_\.C[0-9A-F]{3}\._STA returned' "$log" |
        grep -cE '\[Integer\] = 000000000000000F')
    s5=$(grep -A1 -E '^Evaluation of \\_S5 returned' "$log" | grep -c 'Contains 4 Elements')
    bad=$(grep -iE "$bad_words" "$log" || true)
    echo "# exit $status, _STA = 0xF: $stas of $smp, \\_S5 package: $s5; trouble: ${bad:-none}" \
        >>"$log"
    [[ $status == 0 && $stas == "$smp" && $s5 == 1 && -z $bad ]]
    report $? "-smp $smp: acpiexec evaluates $smp _STA (all 0xF) and \\_S5 cleanly" "$log"

    # dmidecode reads smbios.bin as its own --dump-bin format; any complaint fails
    if command -v dmidecode >/dev/null; then
        log=$dir/dmidecode.log
        dmidecode --from-dump "$dir/smbios.bin" >"$log" 2>"$dir/dmidecode.err"
        status=$?
        cat "$dir/dmidecode.err" >>"$log"
        [[ $status == 0 && ! -s $dir/dmidecode.err ]] && grep -q 'SMBIOS 3.0.0 present' "$log" &&
            grep -q "Core Count: $smp\$" "$log" && grep -q "Thread Count: $smp\$" "$log" &&
            [[ $(grep -c '^Handle ' "$log") == 9 ]] # 0 1 3 4 16 17 19 32 127 (512M: one range)
        report $? "-smp $smp: dmidecode reads smbios.bin: 9 structures, $smp cores" "$log"
    else
        n=$((n + 1))
        echo "ok $n - -smp $smp: dmidecode reads smbios.bin # SKIP dmidecode is not installed"
    fi
done

echo "# $((n - failed)) passed, $failed failed"
[[ $n == $((PER_COUNT * ${#counts[@]})) ]] || { echo "# the plan was wrong: $n tests ran" >&2; exit 1; }
((failed == 0))
