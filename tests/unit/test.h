/*
 * test.h - the tiny harness every C unit test uses.
 *
 * A test file defines static void functions, calls RUN(fn) for each from
 * main(), and returns test_report(). CHECK() records a failure with file
 * and line and carries on, so one run shows every broken expectation.
 * test_report() prints "name: N passed, N failed" and returns the exit
 * status. Header-only: each test file is its own executable.
 */
#ifndef WH_TEST_H
#define WH_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int test_checks_failed_in_case;
static int test_cases_passed;
static int test_cases_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            test_checks_failed_in_case++;                                                          \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %lld, want %lld\n", __FILE__,          \
                    __LINE__, #a, check_a_, check_b_);                                             \
            test_checks_failed_in_case++;                                                          \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                           \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s == \"%s\", want \"%s\"\n", __FILE__,      \
                    __LINE__, #a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
            test_checks_failed_in_case++;                                                          \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                                      \
    do {                                                                                           \
        double check_a_ = (a), check_b_ = (b);                                                     \
        if (!(fabs(check_a_ - check_b_) <= (eps))) {                                               \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s == %.10f, want %.10f\n", __FILE__,       \
                    __LINE__, #a, check_a_, check_b_);                                             \
            test_checks_failed_in_case++;                                                          \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        test_checks_failed_in_case = 0;                                                            \
        fn();                                                                                      \
        if (test_checks_failed_in_case) {                                                          \
            fprintf(stderr, "FAIL %s\n", #fn);                                                     \
            test_cases_failed++;                                                                   \
        } else {                                                                                   \
            test_cases_passed++;                                                                   \
        }                                                                                          \
    } while (0)

/* xorshift64: the tests' own repeatable random numbers (state != 0). */
static inline uint64_t test_xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static inline int test_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, test_cases_passed, test_cases_failed);
    return test_cases_failed ? 1 : 0;
}

#endif
