/*
 * tests/check_sim.c - the simulator: its building blocks (sim/event.c,
 * sim/rng.c: deterministic ordering of simultaneous events, a seeded
 * generator that replays exactly), the virtual clock, and the scheduler of
 * sim/sched.c driven by plain C threads - virtual cores and time slicing,
 * timed waits, mutex and condition variable, replay by seed, deadlock
 * detection, and the byte streams of sim/channel.c.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/channel.h"
#include "sim/event.h"
#include "sim/rng.h"
#include "sim/sched.h"
#include "tests/check_helpers.h"
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

/* ---- C threads on virtual cores ----------------------------------------- */

typedef struct {
    Sim *s;
    SimMutex m;
    SimCond done_cond;
    int done;
    uint64_t finish_ns[16];
    uint64_t burn_ns;
    int next;
    /* ping-pong */
    SimCond turn_cond;
    int turn, rounds;
    char log[4096];
    size_t log_len;
} World;

static void world_init(World *w, Sim *s) {
    memset(w, 0, sizeof *w);
    w->s = s;
    sim_mutex_init(&w->m);
    sim_cond_init(&w->done_cond);
    sim_cond_init(&w->turn_cond);
}

static void finish(World *w, int id) {
    sim_mutex_lock(w->s, &w->m);
    w->finish_ns[id] = sim_now(w->s);
    w->done++;
    sim_cond_signal(w->s, &w->done_cond);
    sim_mutex_unlock(w->s, &w->m);
}

static void wait_done(World *w, int n) {
    sim_mutex_lock(w->s, &w->m);
    while (w->done < n) sim_cond_wait(w->s, &w->done_cond, &w->m, SIM_FOREVER);
    sim_mutex_unlock(w->s, &w->m);
}

static void *burner(void *arg) {
    World *w = arg;
    int id = w->next++;
    sim_burn(w->s, w->burn_ns);
    finish(w, id);
    return NULL;
}

/* n threads each burning 10 ms of CPU on `cores` cores: when they end. */
static uint64_t run_burners(int cores, int n, uint64_t *first, uint64_t *last) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, cores);
    cfg.timeslice_ns = 1000000;
    Sim *s = sim_new(&cfg);
    World w;
    world_init(&w, s);
    w.burn_ns = 10000000;
    for (int i = 0; i < n; i++) ck_assert_ptr_nonnull(sim_thread_start(s, burner, &w, "burner", NULL, NULL));
    wait_done(&w, n);
    *first = UINT64_MAX;
    *last = 0;
    for (int i = 0; i < n; i++) {
        if (w.finish_ns[i] < *first) *first = w.finish_ns[i];
        if (w.finish_ns[i] > *last) *last = w.finish_ns[i];
    }
    uint64_t switches = sim_counters(s)->preemptions;
    sim_free(s);
    return switches;
}

START_TEST(test_cores_run_in_parallel_and_share_by_time_slices) {
    uint64_t first, last;
    /* 4 threads on 4 cores (the main thread waits off-core): all done at
     * 10 ms, in parallel. */
    run_burners(5, 4, &first, &last);
    ck_assert_uint_eq(first, 10000000);
    ck_assert_uint_eq(last, 10000000);
    /* 4 threads on 2 cores: 40 ms of work takes 20 ms, and time slicing
     * makes them all finish near the end rather than two at 10 ms. */
    uint64_t preempted = run_burners(2, 4, &first, &last);
    ck_assert_uint_eq(last, 20000000);
    ck_assert_uint_ge(first, 15000000);
    ck_assert_uint_ge(preempted, 10);
    /* 16 threads on 16 cores on this small machine. */
    run_burners(16, 16, &first, &last);
    ck_assert_uint_eq(last, 10000000);
}
END_TEST

static void *pinger(void *arg) {
    World *w = arg;
    int me = w->next++;
    for (int i = 0; i < w->rounds; i++) {
        sim_mutex_lock(w->s, &w->m);
        while (w->turn != me) sim_cond_wait(w->s, &w->turn_cond, &w->m, SIM_FOREVER);
        w->log_len += (size_t)snprintf(w->log + w->log_len, sizeof w->log - w->log_len,
                                       "%d@%llu ", me, (unsigned long long)sim_now(w->s));
        w->turn = 1 - me;
        sim_cond_broadcast(w->s, &w->turn_cond);
        sim_mutex_unlock(w->s, &w->m);
        sim_burn(w->s, 1000);
    }
    finish(w, me);
    return NULL;
}

/* Two threads passing a turn back and forth: the log of who ran when. */
static void ping_pong(uint64_t seed, char *out, size_t size) {
    SimConfig cfg;
    sim_config_default(&cfg); /* with random wake-up latencies */
    cfg.cores = 2;
    cfg.seed = seed;
    Sim *s = sim_new(&cfg);
    World w;
    world_init(&w, s);
    w.rounds = 40;
    sim_thread_start(s, pinger, &w, "a", NULL, NULL);
    sim_thread_start(s, pinger, &w, "b", NULL, NULL);
    wait_done(&w, 2);
    snprintf(out, size, "%s", w.log);
    sim_free(s);
}

START_TEST(test_same_seed_replays_other_seed_differs) {
    static char a[4096], b[4096], c[4096];
    ping_pong(1, a, sizeof a);
    ping_pong(1, b, sizeof b);
    ping_pong(2, c, sizeof c);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    /* Strict alternation happened, whatever the latencies. */
    ck_assert(strncmp(a, "0@", 2) == 0);
    ck_assert_ptr_nonnull(strstr(a, " 1@"));
}
END_TEST

START_TEST(test_timed_wait_expires_late_by_the_slack) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    cfg.timer_slack_ns = 50000;
    cfg.wake_min_ns = cfg.wake_mean_ns = 7000;
    Sim *s = sim_new(&cfg);
    SimMutex m;
    SimCond c;
    sim_mutex_init(&m);
    sim_cond_init(&c);
    sim_mutex_lock(s, &m);
    ck_assert_int_eq(sim_cond_wait(s, &c, &m, 5000000), 1);
    sim_mutex_unlock(s, &m);
    ck_assert_uint_eq(sim_now(s), 5000000 + 50000 + 7000);
    sim_free(s);
}
END_TEST

static void *stuck(void *arg) {
    World *w = arg;
    sim_mutex_lock(w->s, &w->m);
    sim_cond_wait(w->s, &w->turn_cond, &w->m, SIM_FOREVER); /* nobody signals */
    return NULL;
}

START_TEST(test_deadlock_is_reported_and_exits) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Sim *s = sim_new(&cfg);
    World w;
    world_init(&w, s);
    sim_thread_start(s, stuck, &w, "stuck", NULL, NULL);
    wait_done(&w, 1); /* never: every thread blocked, no event pending */
}
END_TEST

/* The slow tail of wake-ups: off, every wake-up pays exactly the minimum;
 * always on, every one pays more, and the same seed pays the same. */
static uint64_t timed_wake_ns(uint64_t tail_ppm, uint64_t seed) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    cfg.seed = seed;
    cfg.wake_min_ns = cfg.wake_mean_ns = 1000;
    cfg.wake_tail_ppm = tail_ppm;
    cfg.wake_tail_ns = 100000;
    Sim *s = sim_new(&cfg);
    uint64_t total = 0;
    for (int i = 0; i < 20; i++) {
        uint64_t t0 = sim_now(s);
        sim_sleep(s, 1000000);
        total += sim_now(s) - t0 - 1000000;
    }
    sim_free(s);
    return total;
}

START_TEST(test_wake_tail) {
    ck_assert_uint_eq(timed_wake_ns(0, 1), 20 * 1000);
    uint64_t slow = timed_wake_ns(1000000, 1);
    ck_assert_uint_gt(slow, 20 * 1000 + 20 * 10000);   /* mean excess 100 us */
    ck_assert_uint_eq(slow, timed_wake_ns(1000000, 1));
    ck_assert_uint_ne(slow, timed_wake_ns(1000000, 2));
}
END_TEST

START_TEST(test_progress_reports_virtual_time) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    cfg.max_segment_ns = 1000000;
    Sim *s = sim_new(&cfg);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    sim_set_progress(s, out, 0);
    sim_burn(s, 5000000); /* five checkpoints: the first one reports */
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, "gilt: sim: virtual 0.00"));
    ck_assert_ptr_nonnull(strstr(text, "of wall time"));
    free(text);
    sim_free(s);
}
END_TEST

typedef struct {
    Sim *s;
    SimChannel *ch;
    char got[64];
    size_t n;
    uint64_t at;
} ChanTest;

static void *reader(void *arg) {
    ChanTest *t = arg;
    size_t k;
    while ((k = sim_channel_read(t->s, t->ch, t->got + t->n, sizeof t->got - 1 - t->n)) > 0)
        t->n += k;
    t->at = sim_now(t->s);
    sim_channel_unref(t->ch);
    return NULL;
}

START_TEST(test_channel_delivers_then_ends) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Sim *s = sim_new(&cfg);
    ChanTest t;
    memset(&t, 0, sizeof t);
    t.s = s;
    t.ch = sim_channel_new();
    sim_thread_start(s, reader, &t, "reader", NULL, NULL);
    sim_sleep(s, 1000000);
    sim_channel_write(s, t.ch, "hello ", 6);
    sim_sleep(s, 1000000);
    sim_channel_write(s, t.ch, "world", 5);
    sim_channel_close(s, t.ch);
    sim_channel_unref(t.ch);
    while (t.at == 0) sim_sleep(s, 1000);
    ck_assert_str_eq(t.got, "hello world");
    ck_assert_uint_ge(t.at, 2000000);
    sim_free(s);
}
END_TEST

static void *first_reader(void *arg) {
    ChanTest *t = arg;
    t->n = sim_channel_read(t->s, t->ch, t->got, sizeof t->got - 1);
    t->at = sim_now(t->s);
    sim_channel_unref(t->ch);
    return NULL;
}

/* Bytes become readable when the send has cost its time, not before: a
 * reader on another core cannot see them early. */
START_TEST(test_channel_data_arrives_after_the_send) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    cfg.msg_ns = 10000;
    Sim *s = sim_new(&cfg);
    ChanTest t;
    memset(&t, 0, sizeof t);
    t.s = s;
    t.ch = sim_channel_new();
    sim_thread_start(s, first_reader, &t, "reader", NULL, NULL);
    sim_sleep(s, 1000000);
    sim_channel_write(s, t.ch, "x", 1);
    ck_assert_uint_eq(sim_now(s), 1010000);
    sim_channel_close(s, t.ch);
    sim_channel_unref(t.ch);
    while (t.at == 0) sim_sleep(s, 1000);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_uint_ge(t.at, 1010000);
    sim_free(s);
}
END_TEST

/* The optional shallow-idle model: a core idle only briefly wakes fast. */
static void *sleeper(void *arg) {
    World *w = arg;
    sim_sleep(w->s, w->burn_ns); /* the core it ran on goes idle now */
    w->finish_ns[w->next++] = sim_now(w->s);
    return NULL;
}

static uint64_t wake_after_idle(uint64_t idle_ns) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    cfg.wake_min_ns = cfg.wake_mean_ns = 50000;
    cfg.wake_fast_ns = 2000;
    cfg.idle_shallow_ns = 100000;
    Sim *s = sim_new(&cfg);
    World w;
    world_init(&w, s);
    w.burn_ns = idle_ns;
    sim_thread_start(s, sleeper, &w, "sleeper", NULL, NULL);
    while (w.next == 0) sim_sleep(s, 1000000);
    /* The thread started at 50 us (full latency on a never-used core). */
    uint64_t late = w.finish_ns[0] - 50000 - idle_ns;
    sim_free(s);
    return late;
}

START_TEST(test_shallow_idle_wakes_fast) {
    ck_assert_uint_eq(wake_after_idle(20000), 2000);     /* core idle 20 us */
    ck_assert_uint_eq(wake_after_idle(500000), 50000);   /* idle 500 us: deep */
}
END_TEST

/* Virtual time saturates at SIM_TIME_MAX instead of wrapping, whatever a
 * caller of the simulator asks for (the options and the cost file are
 * capped, but the simulator does not rely on that). */
static void *signal_after_1ms(void *arg) {
    World *w = arg;
    sim_sleep(w->s, 1000000);
    finish(w, 0);
    return NULL;
}

START_TEST(test_long_timeout_does_not_wrap) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Sim *s = sim_new(&cfg);
    /* A timeout just short of forever must not wrap into the past: the
     * signal 1 ms later ends the wait. */
    World w;
    world_init(&w, s);
    sim_thread_start(s, signal_after_1ms, &w, "signaller", NULL, NULL);
    sim_cpu(s, 1000);   /* from time 0 the sum would not wrap */
    sim_mutex_lock(s, &w.m);
    ck_assert_int_eq(sim_cond_wait(s, &w.done_cond, &w.m, SIM_FOREVER - 1), 0);
    ck_assert_int_eq(w.done, 1);
    sim_mutex_unlock(s, &w.m);
    ck_assert_uint_lt(sim_now(s), 10000000);
    /* Costs saturate too. */
    sim_cpu(s, UINT64_MAX);
    sim_cpu_ps(s, UINT64_MAX);
    ck_assert_uint_eq(sim_now(s), SIM_TIME_MAX);
    ck_assert_uint_eq(sim_max_time(s), SIM_TIME_MAX);
    sim_free(s);
}
END_TEST

/* Reaching the end of time ends the run (exit status 1), as a deadlock
 * does: here by sleeping past it ... */
START_TEST(test_sleeping_past_the_end_of_time_ends_the_run) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    Sim *s = sim_new(&cfg);
    sim_sleep(s, 1000);
    sim_sleep(s, UINT64_MAX - 5);
    ck_abort_msg("woke at %llu", (unsigned long long)sim_now(s));
}
END_TEST

/* ... and here by a model whose timer slack adds up past it. */
START_TEST(test_huge_timer_slack_ends_the_run) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    cfg.timer_slack_ns = UINT64_MAX / 5;
    Sim *s = sim_new(&cfg);
    uint64_t prev = 0;
    for (int i = 0; i < 8; i++) {
        sim_sleep(s, 1000000000);
        ck_assert_uint_gt(sim_now(s), prev);
        prev = sim_now(s);
    }
    ck_abort_msg("still running at %llu", (unsigned long long)sim_now(s));
}
END_TEST

/* One validation for the options and the cost file. */
START_TEST(test_config_validate) {
    SimConfig c;
    char err[256];
    sim_config_default(&c);
    ck_assert(sim_config_validate(&c, err, sizeof err));
    c.cores = 0;
    ck_assert(!sim_config_validate(&c, err, sizeof err));
    ck_assert_str_eq(err, "cores is 0, not from 1 to 1024");
    sim_config_default(&c);
    c.lookahead_ns = SIM_MODEL_MAX_NS;
    ck_assert(sim_config_validate(&c, err, sizeof err));
    c.lookahead_ns++;
    ck_assert(!sim_config_validate(&c, err, sizeof err));
    ck_assert_str_eq(err, "lookahead_ns is 3600000000001 ns, more than an hour (3600000000000 ns)");
    sim_config_default(&c);
    c.wake_tail_ppm = 1000000;
    ck_assert(sim_config_validate(&c, err, sizeof err));
}
END_TEST

/* A host allocation of sim_new that fails ends the run with the funnel's
 * message and status 1 (sim/alloc.c), never a signal: each of the first
 * three (the simulator, its cores, its main thread), one per loop pass. */
START_TEST(test_sim_new_out_of_memory_exits_1) {
    SimConfig c;
    sim_config_default(&c);
    sim_alloc_fail_after(_i);
    Sim *s = sim_new(&c);
    ck_abort_msg("sim_new returned %p after its allocation %d failed", (void *)s, _i);
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
    tc = tcase_create("sim_config");
    tcase_add_test(tc, test_config_validate);
    suite_add_tcase(s, tc);
    tc = tcase_create("sim_alloc");
    tcase_add_loop_exit_test(tc, test_sim_new_out_of_memory_exits_1, 1, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("sim_scheduler");
    tcase_add_test(tc, test_cores_run_in_parallel_and_share_by_time_slices);
    tcase_add_test(tc, test_same_seed_replays_other_seed_differs);
    tcase_add_test(tc, test_timed_wait_expires_late_by_the_slack);
    tcase_add_exit_test(tc, test_deadlock_is_reported_and_exits, 1);
    tcase_add_test(tc, test_channel_delivers_then_ends);
    tcase_add_test(tc, test_progress_reports_virtual_time);
    tcase_add_test(tc, test_channel_data_arrives_after_the_send);
    tcase_add_test(tc, test_shallow_idle_wakes_fast);
    tcase_add_test(tc, test_wake_tail);
    tcase_add_test(tc, test_long_timeout_does_not_wrap);
    tcase_add_exit_test(tc, test_sleeping_past_the_end_of_time_ends_the_run, 1);
    tcase_add_exit_test(tc, test_huge_timer_slack_ends_the_run, 1);
    suite_add_tcase(s, tc);
    return s;
}
