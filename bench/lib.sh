# bench/lib.sh: what the benchmark scripts share. Sourced, not run; the
# script defines die() and WORK before it calls anything here.

now_us() { echo "${EPOCHREALTIME/./}"; }
calc() { awk "BEGIN { printf \"%.15g\", ($1) }"; } # %.15g: large counts stay exact
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

# run a command; US: its wall time in µs, CPU: the user+sys time of it and
# every process under it, in µs (they are all waited for), RC: its status
TIMEFORMAT='%3U %3S'
timed() { # command...
    local t0 u sys
    t0=$(now_us)
    { time "$@" 2>&3 3>&-; } 3>&2 2>"$WORK/time.txt"
    RC=$?
    US=$(($(now_us) - t0))
    read -r u sys <"$WORK/time.txt"
    CPU=$(calc "int(($u + $sys) * 1000000)")
}

# ---- Bochs: a GRUB ISO per guest and command line ---------------------------

bochs_missing() { # why Bochs cannot run here, or nothing
    local t
    for t in bochs grub-mkrescue script xorriso; do
        command -v $t >/dev/null || { echo "$t is not installed"; return; }
    done
    [[ -e /usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so ]] ||
        echo "Bochs has no 'term' display (apt-get install bochs-term)"
}

# DIR/boot.iso: GRUB booting ELF as a Multiboot kernel with command line ARGS
grub_iso() { # dir elf args
    rm -rf "$1" && mkdir -p "$1/iso/boot/grub"
    cp "$2" "$1/iso/boot/guest.elf"
    printf 'set timeout=0\nset default=0\nmenuentry "bench" {\n\tmultiboot /boot/guest.elf %s\n\tboot\n}\n' \
        "$3" >"$1/iso/boot/grub/grub.cfg"
    grub-mkrescue -d /usr/lib/grub/i386-pc -o "$1/boot.iso" "$1/iso" \
        --install-modules="multiboot normal iso9660 biosdisk configfile" \
        --fonts= --locales= --themes= >"$1/mkrescue.log" 2>&1 ||
        die "grub-mkrescue failed: $(tail -c 300 "$1/mkrescue.log")"
}

# DIR/bochsrc booting DIR/boot.iso, COM1 into DIR/com1.out, and DIR/cont for
# the Debian build's debugger ("continue"); CPU is the cpu: line's options,
# and each further argument one more line
bochs_rc() { # dir megs cpu [line...]
    local dir=$1 megs=$2 cpu=$3
    shift 3
    {
        echo "megs: $megs"
        echo "romimage: file=/usr/share/bochs/BIOS-bochs-latest"
        echo "vgaromimage: file=/usr/share/vgabios/vgabios.bin"
        echo "cpu: $cpu"
        printf '%s\n' "$@"
        echo "ata0-master: type=cdrom, path=boot.iso, status=inserted"
        echo "boot: cdrom"
        echo "display_library: term"
        echo "com1: enabled=1, mode=file, dev=com1.out"
        echo "speaker: enabled=0"
        echo "sound: driver=dummy"
        echo "mouse: enabled=0"
        echo "log: bochs.log"
    } >"$dir/bochsrc"
    echo c >"$dir/cont"
}
