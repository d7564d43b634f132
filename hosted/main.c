/*
 * main.c: build/baremu, the emulator as a Linux program.
 *
 * Reads the QEMU-style command line (emu/cmdline.h), checks the files it
 * names, and runs the guest (emu/machine.h) until it stops. SIGUSR1 makes
 * every vCPU log its registers while the guest goes on.
 *
 * With -dump-tables DIR it writes the firmware tables the guest would get
 * (hosted/dump_tables.c) and exits 0.
 *
 * Exit status: 0 after -h or -dump-tables, 2 for a bad command line or file,
 * otherwise the machine's (emu/machine.h).
 */
#include "emu/cmdline.h"
#include "emu/host.h"
#include "emu/machine.h"
#include "hosted/dump_tables.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_BAD_USAGE 2
#define FILE_MAX       (1ull << 30) /* a kernel or initrd larger than this is a mistake */
#define ERR_MAX        512
#define USAGE_MAX      4096

/* one line on stderr, and out */
static void die_usage(const char *msg)
{
    fprintf(stderr, "baremu: %s\n", msg);
    exit(EXIT_BAD_USAGE);
}

static int print_usage(void)
{
    char text[USAGE_MAX];
    size_t n = cmdline_usage(text, sizeof text, CMDLINE_HOSTED);
    fputs(text, stdout);
    return n < sizeof text ? EXIT_SUCCESS : EXIT_FAILURE; /* XXX: grow USAGE_MAX */
}

/*
 * A file named on the command line must be a regular file we can read.
 * O_NONBLOCK: opening a FIFO must not hang; fstat then refuses it.
 */
static int check_file(const char *opt, const char *path, char *err, size_t errlen)
{
    if (path == NULL)
        return 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open '%s': %s", opt, path, strerror(errno));
        return -1;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot stat '%s': %s", opt, path, strerror(errno));
        rc = -1;
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: '%s' is not a regular file", opt, path);
        rc = -1;
    }
    close(fd);
    return rc;
}

static int check_files(const struct baremu_config *cfg, char *err, size_t errlen)
{
    if (cfg->kernel == NULL && cfg->bios == NULL) {
        snprintf(err, errlen, "-kernel: a guest kernel is required (see -h)");
        return -1;
    }
    if (cfg->kernel != NULL && cfg->bios != NULL) {
        snprintf(err, errlen, "-bios: not with -kernel: the ROM boots the machine");
        return -1;
    }
    if (check_file("-kernel", cfg->kernel, err, errlen) != 0 ||
        check_file("-bios", cfg->bios, err, errlen) != 0 ||
        check_file("-initrd", cfg->initrd, err, errlen) != 0 ||
        check_file("-drive", cfg->drive, err, errlen) != 0)
        return -1;
    return 0;
}

/* the whole of a file named on the command line, or exit 2 saying why */
static uint8_t *slurp(const char *opt, const char *path, size_t *len)
{
    char err[ERR_MAX];
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, sizeof err, "%s: cannot open '%s': %s", opt, path, strerror(errno));
        die_usage(err);
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > FILE_MAX) {
        snprintf(err, sizeof err, "%s: '%s' is larger than %llu MiB", opt, path,
                 (unsigned long long)(FILE_MAX >> 20));
        die_usage(err);
    }
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        snprintf(err, sizeof err, "%s: cannot read '%s'", opt, path);
        die_usage(err);
    }
    fclose(f);
    *len = (size_t)st.st_size;
    return buf;
}

/* -drive: a raw image file behind the virtio-blk device */
#define SECTOR 512u
static int disk_fd = -1;

static int disk_read(void *opaque, uint64_t sector, void *buf, uint32_t bytes)
{
    (void)opaque;
    return pread(disk_fd, buf, bytes, (off_t)(sector * SECTOR)) == (ssize_t)bytes ? 0 : -1;
}

static int disk_write(void *opaque, uint64_t sector, const void *buf, uint32_t bytes)
{
    (void)opaque;
    return pwrite(disk_fd, buf, bytes, (off_t)(sector * SECTOR)) == (ssize_t)bytes ? 0 : -1;
}

static int disk_flush(void *opaque)
{
    (void)opaque;
    return fdatasync(disk_fd);
}

static struct blk_backend open_disk(const char *path)
{
    char err[ERR_MAX];
    bool read_only = false;
    disk_fd = open(path, O_RDWR | O_CLOEXEC);
    if (disk_fd < 0 && (errno == EACCES || errno == EROFS)) {
        disk_fd = open(path, O_RDONLY | O_CLOEXEC);
        read_only = true;
    }
    struct stat st;
    if (disk_fd < 0 || fstat(disk_fd, &st) != 0) {
        snprintf(err, sizeof err, "-drive: cannot open '%s': %s", path, strerror(errno));
        die_usage(err);
    }
    return (struct blk_backend){.read = disk_read,
                                .write = disk_write,
                                .flush = disk_flush,
                                .sectors = (uint64_t)st.st_size / SECTOR,
                                .read_only = read_only};
}

/* kill -USR1: every vCPU logs its registers, and the guest goes on (a hung guest's state) */
static struct machine *running;
static void dump_on_signal(int sig)
{
    (void)sig;
    machine_request_dump(running);
}

/* -debugcon: port 0x402's bytes, unbuffered, so a killed run keeps them */
static FILE *debugcon_file;

static void debugcon_byte(void *opaque, uint8_t byte)
{
    (void)opaque;
    fputc(byte, debugcon_file);
    fflush(debugcon_file);
}

/* build the machine the command line describes and run it; its exit status is ours */
static int run_machine(const struct baremu_config *cfg)
{
    static struct machine m; /* large: one LAPIC slot per possible vCPU */
    struct machine_config mc = {
        .ncpus = cfg->smp,
        .ram_size = cfg->ram_bytes,
        .cmdline = cfg->append,
        .unix_time = (int64_t)time(NULL),
        .stats = cfg->stats,
        .debug = cfg->debug,
        .rip_history = cfg->rip_history,
        .deterministic = cfg->deterministic,
        .io_core = cfg->io_core,
        .quantum = cfg->quantum,
        .hash_at = cfg->hash_at,
        .nhash_at = cfg->nhash_at,
    };
    char err[ERR_MAX], line[ERR_MAX];
    if (cfg->kernel)
        mc.kernel = slurp("-kernel", cfg->kernel, &mc.kernel_len);
    if (cfg->bios)
        mc.bios = slurp("-bios", cfg->bios, &mc.bios_len);
    if (cfg->debugcon) {
        debugcon_file = strcmp(cfg->debugcon, "stdio") == 0 ? stdout : fopen(cfg->debugcon, "w");
        if (!debugcon_file) {
            snprintf(err, sizeof err, "-debugcon: cannot open '%s': %s", cfg->debugcon,
                     strerror(errno));
            die_usage(err);
        }
        mc.debugcon = debugcon_byte;
    }
    if (cfg->initrd)
        mc.initrd = slurp("-initrd", cfg->initrd, &mc.initrd_len);
    if (cfg->drive)
        mc.disk = open_disk(cfg->drive);
    if (machine_create(&m, &mc, err, sizeof err) != 0)
        die_usage(err);
    cmdline_describe(line, sizeof line, cfg);
    fprintf(stderr, "baremu: machine: %s\n", line);
    running = &m;
    signal(SIGUSR1, dump_on_signal);
    return machine_run(&m);
}

int main(int argc, char **argv)
{
    struct baremu_config cfg;
    char err[ERR_MAX];

    cmdline_defaults(&cfg);
    if (cmdline_parse(&cfg, argc > 0 ? argc - 1 : 0, argv + (argc > 0), CMDLINE_HOSTED, err,
                      sizeof err) != 0)
        die_usage(err);
    if (cfg.help)
        return print_usage();
    cmdline_resolve_smp(&cfg, host_cpu_count());
    if (cfg.dump_tables != NULL) { /* no guest kernel needed */
        if (dump_tables(&cfg, cfg.dump_tables, err, sizeof err) != 0) {
            fprintf(stderr, "baremu: %s\n", err);
            return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
    }
    if (check_files(&cfg, err, sizeof err) != 0)
        die_usage(err);

    return run_machine(&cfg);
}
