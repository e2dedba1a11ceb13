/*
 * tests/check_clock.c - the one clock interface (sim/clock.c): the real
 * backend is monotonic and sleeps, and a backend can be swapped in, which
 * is what the simulator does.
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

typedef struct {
    uint64_t now;
} FakeClock;

static uint64_t fake_now(void *ctx) { return ((FakeClock *)ctx)->now; }
static void fake_sleep(void *ctx, uint64_t ns) { ((FakeClock *)ctx)->now += ns; }

START_TEST(test_backend_swap) {
    FakeClock fc = {42};
    SimClockBackend fake = {"fake", fake_now, fake_now, fake_sleep, fake_sleep, &fc};
    const SimClockBackend *prev = sim_clock_set_backend(&fake);
    ck_assert_str_eq(prev->name, "real");
    ck_assert_uint_eq(sim_clock_now_ns(), 42);
    sim_clock_sleep_ns(2000000000ull);
    ck_assert_uint_eq(sim_clock_now_ns(), 2000000042ull);
    sim_clock_set_backend(NULL);
    ck_assert_ptr_eq(sim_clock_set_backend(NULL), sim_clock_real_backend());
    ck_assert_uint_gt(sim_clock_now_ns(), 0);
}
END_TEST

Suite *clock_suite(void) {
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("sim_clock");
    tcase_add_test(tc, test_monotonic_never_goes_back);
    tcase_add_test(tc, test_sleep_waits_at_least);
    tcase_add_test(tc, test_realtime_is_after_2020);
    tcase_add_test(tc, test_backend_swap);
    suite_add_tcase(s, tc);
    return s;
}
