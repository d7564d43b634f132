/*
 * host_test.c: the parts of emu/host.h the device models call, for the unit
 * tests: log lines go to a buffer that tests can inspect.
 */
#include "tests/unit/host_test.h"

#include "emu/host.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char host_test_log[HOST_TEST_LOG_SIZE];
unsigned host_test_log_lines;

void host_vlog(const char *fmt, va_list ap)
{
    size_t used = strlen(host_test_log);
    if (used < sizeof host_test_log - 1)
        vsnprintf(host_test_log + used, sizeof host_test_log - used, fmt, ap);
    host_test_log_lines++;
}

void host_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_vlog(fmt, ap);
    va_end(ap);
}

void host_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

/* the pause protocol's waits (emu/pause.c): give the other test threads the core */
void host_pause(unsigned index)
{
    (void)index;
    sched_yield();
}
