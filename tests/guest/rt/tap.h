/* Test Anything Protocol, version 12: https://testanything.org/tap-specification.html */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <stdbool.h>

void tap_plan(int n); /* "1..n"; optional, tap_done adds it if missing */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tap_done(void); /* exits GUEST_PASS or GUEST_FAIL */
int tap_failed(void);          /* how many failed so far */

#endif
