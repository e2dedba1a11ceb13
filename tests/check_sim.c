/*
 * tests/check_sim.c - the simulator's building blocks (sim/event.c,
 * sim/rng.c): deterministic ordering of simultaneous events and a seeded
 * generator that replays exactly.
 */
#include <check.h>
#include <math.h>

#include "sim/event.h"
#include "sim/rng.h"
#include "sim/virtual.h"
#include "tests/check_suites.h"

START_TEST(test_heap_orders_by_time_then_seq) {
    SimEventHeap h;
    sim_event_heap_init(&h);
    int tags[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    uint64_t times[8] = {50, 10, 50, 0, 10, 50, 99, 0};
    for (int i = 0; i < 8; i++) sim_event_push(&h, times[i], 0, &tags[i]);
    /* Expected: time ascending, and equal times in insertion order. */
    int expect[8] = {3, 7, 1, 4, 0, 2, 5, 6};
    for (int i = 0; i < 8; i++) {
        SimEvent e;
        ck_assert(sim_event_pop(&h, &e));
        ck_assert_int_eq(*(int *)e.target, expect[i]);
    }
    SimEvent e;
    ck_assert(!sim_event_pop(&h, &e));
    sim_event_heap_fini(&h);
}
END_TEST

START_TEST(test_heap_many_events_sorted) {
    SimEventHeap h;
    sim_event_heap_init(&h);
    SimRng r;
    sim_rng_seed(&r, 1);
    for (int i = 0; i < 10000; i++) sim_event_push(&h, sim_rng_below(&r, 1000), i, NULL);
    SimEvent prev, e;
    ck_assert(sim_event_pop(&h, &prev));
    while (sim_event_pop(&h, &e)) {
        ck_assert(prev.time_ns < e.time_ns ||
                  (prev.time_ns == e.time_ns && prev.seq < e.seq));
        prev = e;
    }
    sim_event_heap_fini(&h);
}
END_TEST

START_TEST(test_rng_replays_and_differs) {
    SimRng a, b, c;
    sim_rng_seed(&a, 42);
    sim_rng_seed(&b, 42);
    sim_rng_seed(&c, 43);
    int same_as_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sim_rng_next(&a), y = sim_rng_next(&b), z = sim_rng_next(&c);
        ck_assert_uint_eq(x, y);
        same_as_c += x == z;
    }
    ck_assert_int_eq(same_as_c, 0);
    ck_assert_uint_eq(a.seed, 42);
}
END_TEST

START_TEST(test_rng_distributions) {
    SimRng r;
    sim_rng_seed(&r, 7);
    double sum = 0, esum = 0;
    int counts[10] = {0};
    for (int i = 0; i < 100000; i++) {
        double d = sim_rng_double(&r);
        ck_assert(d >= 0 && d < 1);
        sum += d;
        counts[sim_rng_below(&r, 10)]++;
        esum += sim_rng_exponential(&r, 2.0);
    }
    ck_assert(fabs(sum / 100000 - 0.5) < 0.01);
    ck_assert(fabs(esum / 100000 - 2.0) < 0.05);
    for (int i = 0; i < 10; i++) ck_assert(counts[i] > 9000 && counts[i] < 11000);
}
END_TEST

START_TEST(test_virtual_clock_counts_bytecodes_and_sleeps) {
    uint64_t bytecodes = 0;
    SimVirtualClock c;
    sim_virtual_init(&c, &bytecodes, 2000); /* 2 ns per bytecode */
    const SimClockBackend *prev = sim_clock_set_backend(&c.backend);
    ck_assert(sim_clock_is_virtual());
    ck_assert_uint_eq(sim_clock_now_ns(), 0);
    bytecodes = 1000;
    ck_assert_uint_eq(sim_clock_now_ns(), 2000);
    sim_clock_sleep_ns(5000000000ull); /* instant */
    ck_assert_uint_eq(sim_clock_now_ns(), 5000002000ull);
    ck_assert_uint_eq(sim_clock_realtime_ns(), c.epoch_ns + 5000002000ull);
    sim_clock_set_backend(prev);
    ck_assert(!sim_clock_is_virtual());
}
END_TEST

Suite *sim_suite(void) {
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("sim_event_heap");
    tcase_add_test(tc, test_heap_orders_by_time_then_seq);
    tcase_add_test(tc, test_heap_many_events_sorted);
    suite_add_tcase(s, tc);
    tc = tcase_create("sim_rng");
    tcase_add_test(tc, test_rng_replays_and_differs);
    tcase_add_test(tc, test_rng_distributions);
    suite_add_tcase(s, tc);
    tc = tcase_create("sim_virtual_clock");
    tcase_add_test(tc, test_virtual_clock_counts_bytecodes_and_sleeps);
    suite_add_tcase(s, tc);
    return s;
}
