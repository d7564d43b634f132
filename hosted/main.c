/*
 * main.c: build/baremu, the emulator as a Linux program.
 *
 * Reads the QEMU-style command line (emu/cmdline.h) and checks the files it
 * names. There is no guest CPU yet (the interpreter is a later issue), so it
 * describes the machine it would run and stops.
 *
 * With -dump-tables DIR it writes the firmware tables the guest would get
 * (hosted/dump_tables.c) and exits 0.
 *
 * Exit status: 0 after -h or -dump-tables, 2 for a bad command line or file,
 * 1 otherwise.
 */
#include "emu/cmdline.h"
#include "hosted/dump_tables.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_BAD_USAGE 2
#define EXIT_NO_GUEST  1
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
    if (cfg->kernel == NULL) {
        snprintf(err, errlen, "-kernel: a guest kernel is required (see -h)");
        return -1;
    }
    if (check_file("-kernel", cfg->kernel, err, errlen) != 0 ||
        check_file("-initrd", cfg->initrd, err, errlen) != 0 ||
        check_file("-drive", cfg->drive, err, errlen) != 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    struct baremu_config cfg;
    char err[ERR_MAX], line[USAGE_MAX];

    cmdline_defaults(&cfg);
    if (cmdline_parse(&cfg, argc > 0 ? argc - 1 : 0, argv + (argc > 0), CMDLINE_HOSTED, err,
                      sizeof err) != 0)
        die_usage(err);
    if (cfg.help)
        return print_usage();
    if (cfg.dump_tables != NULL) { /* no guest kernel needed */
        if (dump_tables(&cfg, cfg.dump_tables, err, sizeof err) != 0) {
            fprintf(stderr, "baremu: %s\n", err);
            return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
    }
    if (check_files(&cfg, err, sizeof err) != 0)
        die_usage(err);

    cmdline_describe(line, sizeof line, &cfg);
    fprintf(stderr, "baremu: machine: %s\n", line);
    fprintf(stderr, "baremu: no guest CPU yet (the interpreter is a later issue); stopping\n");
    return EXIT_NO_GUEST;
}
