/*
 * host_test.h: what the test host (host_test.c) records.
 */
#ifndef BAREMU_TESTS_HOST_TEST_H
#define BAREMU_TESTS_HOST_TEST_H

#define HOST_TEST_LOG_SIZE 4096

extern char host_test_log[HOST_TEST_LOG_SIZE]; /* every host_log line, concatenated */
extern unsigned host_test_log_lines;

#endif
