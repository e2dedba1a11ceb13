/*
 * tests/check_clock.c - the host's clocks (sim/clock.c): monotonic time
 * never goes back, sleeps last at least as long as asked, wall-clock time
 * is today's.  Virtual time is the platform's (tests/check_platform.c).
 */
#include <check.h>

#include "sim/clock.h"
#include "tests/check_suites.h"

START_TEST(test_monotonic_never_goes_back) {
    uint64_t prev = sim_clock_now_ns();
    for (int i = 0; i < 10000; i++) {
        uint64_t now = sim_clock_now_ns();
        ck_assert_uint_ge(now, prev);
        prev = now;
    }
}
END_TEST

START_TEST(test_sleep_waits_at_least) {
    uint64_t t0 = sim_clock_now_ns();
    sim_clock_sleep_ns(5000000);
    /* Generous lower bound only: sleeps may overshoot on a busy machine. */
    ck_assert_uint_ge(sim_clock_now_ns() - t0, 5000000);
}
END_TEST

START_TEST(test_realtime_is_after_2020) {
    ck_assert_uint_gt(sim_clock_realtime_ns() / 1000000000ull, 1577836800ull);
}
END_TEST

Suite *clock_suite(void) {
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("sim_clock");
    tcase_add_test(tc, test_monotonic_never_goes_back);
    tcase_add_test(tc, test_sleep_waits_at_least);
    tcase_add_test(tc, test_realtime_is_after_2020);
    suite_add_tcase(s, tc);
    return s;
}
