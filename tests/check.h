/* check.h: the smallest test harness that says what failed and where.
 * CHECK(cond, fmt, ...) records a failure and goes on; CHECK_NEAR compares doubles.
 * A test's main ends with `return check_summary("name");`, which prints
 * "name: N passed, M failed" and returns non-zero when anything failed. */
#ifndef STIPPLE_CHECK_H
#define STIPPLE_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_passed_, check_failed_;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed_++;                                                     \
        } else {                                                                 \
            check_failed_++;                                                     \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

#define CHECK_NEAR(got, want, tol, what)                                          \
    do {                                                                          \
        double g_ = (double)(got), w_ = (double)(want);                           \
        CHECK(fabs(g_ - w_) <= (tol), "%s: got %.9g, want %.9g (tol %g)", what, g_, w_, (double)(tol)); \
    } while (0)

static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed_, check_failed_);
    return check_failed_ ? 1 : 0;
}

#endif
