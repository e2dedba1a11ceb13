/*
 * tests/check_gil.c - what each GIL policy (vm/gil/gil_*.c) does, pinned
 * down in virtual time: programs run on a fresh simulator (test_run_on) and
 * the assertions read the program's own measurements (time.monotonic is
 * exact in virtual time) and the threads' GilStats (vm/gil/gil.c).
 *
 * Everything here is deterministic: the same program, options and seed give
 * the same figures on any host, so most tests assert the exact figure
 * observed *and* the formula that explains it (within +-1).  Two OS models
 * are used: test_exact_sim_config(), which has no OS noise (no wake-up latency,
 * context-switch, syscall, lock or timer-slack cost), so times are sums of
 * bytecode costs, intervals and time slices; and the calibrated model
 * (sim_config_default()) with a fixed seed where a behaviour depends on
 * wake-up latencies (the legacy GIL battle, replay).
 *
 * GILT_TEST_FIGURES=1 prints the figures each test observed on stderr.
 */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sched.h"
#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/gil/gil.h"

/* ---- running a program and collecting what the lock did ---------------- */

/* The calibrated model (random wake-up latencies) with a fixed seed. */
static void calibrated_config(SimConfig *c, int cores, uint64_t seed) {
    sim_config_default(c);
    c->cores = cores;
    c->seed = seed;
}

#define MAX_OBSERVED 16

/* What the lock did in one run: every finished thread's statistics and
 * the main thread's (which is still alive, holding the lock, when the
 * program ends). */
typedef struct {
    int n;
    GilStats st[MAX_OBSERVED];
    char names[MAX_OBSERVED][64];
    uint64_t bytecodes[MAX_OBSERVED];
    GilStats main;
    uint64_t end_ns;
} Observed;

static void observe(VmShared *vm, void *arg) {
    Observed *o = arg;
    memset(o, 0, sizeof *o);
    ck_assert_int_le(vm->finished_count, MAX_OBSERVED);
    o->n = vm->finished_count;
    for (int i = 0; i < o->n; i++) {
        o->st[i] = vm->finished_stats[i];
        memcpy(o->names[i], vm->finished_names[i], 64);
        o->bytecodes[i] = vm->finished_bytecodes[i];
    }
    o->end_ns = vm_now_ns(vm);
    o->main = vm->main_thread->gil_stats;
    /* Its current hold counts, as in --stats (vm/record/stats.c). */
    if (vm->main_thread->holds_gil) o->main.held_ns += o->end_ns - o->main.acquired_at_ns;
}

typedef struct {
    const char *policy;
    double interval;    /* > 0: --switch-interval (also sets fifo/bfs quantum) */
    bool no_force;      /* --no-force-switching */
} Policy;

/* Run source under a policy on the given model; fails the test unless the
 * program succeeds.  Returns its stdout (free it). */
static char *run(const char *source, Policy p, const SimConfig *cfg, Observed *obs) {
    VmOptions o;
    vm_options_default(&o);
    o.gil_name = p.policy;
    if (p.interval > 0) {
        o.switch_interval = p.interval;
        o.switch_interval_set = true;
    }
    o.force_switching = !p.no_force;
    static Observed scratch;
    TestRun r = test_run_on(source, &o, cfg, observe, obs ? obs : &scratch);
    ck_assert_msg(r.result == VM_OK, "%s: program failed: %s", p.policy, r.err);
    char *out = r.out;
    free(r.err);
    return out;
}

/* The number printed after "key " on a line of out. */
static double value_of(const char *out, const char *key) {
    size_t k = strlen(key);
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, key, k) == 0 && l[k] == ' ') return strtod(l + k + 1, NULL);
    ck_abort_msg("no '%s' in the output:\n%s", key, out);
    return 0;
}

/* The word printed after "key " (into buf). */
static const char *word_of(const char *out, const char *key, char *buf, size_t size) {
    size_t k = strlen(key);
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, key, k) == 0 && l[k] == ' ') {
            size_t n = strcspn(l + k + 1, "\n");
            if (n >= size) n = size - 1;
            memcpy(buf, l + k + 1, n);
            buf[n] = '\0';
            return buf;
        }
    ck_abort_msg("no '%s' in the output:\n%s", key, out);
    return NULL;
}

/* The statistics of the thread called name ("MainThread": the main one). */
static const GilStats *stats_of(const Observed *o, const char *name) {
    if (strcmp(name, "MainThread") == 0) return &o->main;
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->names[i], name) == 0) return &o->st[i];
    ck_abort_msg("no finished thread '%s'", name);
    return NULL;
}

/* A field summed over the finished threads (the workers). */
#define SUM(o, field) sum_field((o), offsetof(GilStats, field))
static uint64_t sum_field(const Observed *o, size_t offset) {
    uint64_t s = 0;
    for (int i = 0; i < o->n; i++) s += *(const uint64_t *)((const char *)&o->st[i] + offset);
    return s;
}

static bool figures_wanted(void) {
    const char *e = getenv("GILT_TEST_FIGURES");
    return e && *e && strcmp(e, "0") != 0;
}

#define FIGURES(...)                                                          \
    do {                                                                      \
        if (figures_wanted()) {                                               \
            fprintf(stderr, "%s: ", __func__);                                \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
        }                                                                     \
    } while (0)

static void print_stats(const char *what, const Observed *o) {
    if (!figures_wanted()) return;
    for (int i = -1; i < o->n; i++) {
        const GilStats *s = i < 0 ? &o->main : &o->st[i];
        fprintf(stderr,
                "  %s %-10s held=%llu wait=%llu acq=%llu drop=%llu forced=%llu futile=%llu "
                "io=%llu switched_in=%llu\n",
                what, i < 0 ? "MainThread" : o->names[i], (unsigned long long)s->held_ns,
                (unsigned long long)s->wait_ns, (unsigned long long)s->acquisitions,
                (unsigned long long)s->drop_requests, (unsigned long long)s->forced_switches,
                (unsigned long long)s->futile_wakeups, (unsigned long long)s->io_releases,
                (unsigned long long)s->switched_in);
    }
}

/* ---- programs ------------------------------------------------------------ */

/* Two CPU-bound threads, a and b, spin for RUN seconds of virtual time.
 * They start together: both block on an Event until the main thread has
 * fixed the deadline and gone to wait in join(), so the main thread never
 * competes for the lock while they spin.  Prints the run time. */
static const char *const spin_program =
    "import threading, time\n"
    "go = threading.Event()\n"
    "deadline = 0.0\n"
    "def spin():\n"
    "    go.wait()\n"
    "    while time.monotonic() < deadline:\n"
    "        pass\n"
    "ts = [threading.Thread(target=spin, name=n) for n in ('a', 'b')]\n"
    "for t in ts: t.start()\n"
    "t0 = time.monotonic()\n"
    "deadline = t0 + RUN\n"
    "go.set()\n"
    "for t in ts: t.join()\n"
    "print('run', time.monotonic() - t0)\n";

static char *with_prefix(const char *prefix, const char *program) {
    size_t n = strlen(prefix) + strlen(program) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s%s", prefix, program);
    return s;
}

/* ---- cpython: the new GIL ------------------------------------------------- */

/* With the exact model on two cores, each waiter runs on its own core:
 * a waiter that times out after a whole interval without a switch asks the
 * holder to drop, and with FORCE_SWITCHING the holder waits until the
 * waiter has the lock, then starts its own interval-long wait.  So the
 * lock changes hands every interval, except at the start: both threads
 * leave go.wait() together, b starts its first timed wait before a takes
 * the lock, and that wait sees a switch (a's acquisition) and is not
 * counted - CPython's rule that a drop is asked only after a whole
 * interval *without a switch*.  The first forced switch is therefore at 2
 * intervals and the count is
 *     forced = floor(run / interval) - 1
 * (+-1 when the run is a multiple of the interval: the last request races
 * with the deadline). */
START_TEST(test_cpython_forced_switches_two_cores) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Observed o;
    char *src = with_prefix("RUN = 0.1\n", spin_program);
    char *out = run(src, (Policy){"cpython", 0.005, false}, &cfg, &o);
    double run_s = value_of(out, "run");
    uint64_t forced = SUM(&o, forced_switches);
    double expect = floor(run_s / 0.005) - 1;
    FIGURES("run %.9f s, forced %llu (a %llu, b %llu), formula %.0f", run_s,
            (unsigned long long)forced, (unsigned long long)stats_of(&o, "a")->forced_switches,
            (unsigned long long)stats_of(&o, "b")->forced_switches, expect);
    print_stats("2 cores", &o);
    ck_assert_msg(fabs(run_s - 0.1) < 0.0001, "run %.9f s", run_s);
    ck_assert_uint_eq(forced, 19);
    ck_assert_msg(fabs((double)forced - expect) <= 1, "forced %llu, formula %.0f",
                  (unsigned long long)forced, expect);
    /* Every drop request honoured is a forced switch under FORCE_SWITCHING,
     * and the two threads take turns (10 and 9). */
    const char *names[] = {"a", "b"};
    for (int i = 0; i < 2; i++) {
        const GilStats *s = stats_of(&o, names[i]);
        ck_assert_uint_eq(s->drop_requests, s->forced_switches);
        ck_assert_uint_ge(s->forced_switches, 9);
        ck_assert_uint_eq(s->futile_wakeups, 0);
        /* Each hold was taken over from the other thread. */
        ck_assert_uint_ge(s->switched_in, s->forced_switches);
    }
    /* The main thread waited in join(), never for the lock. */
    ck_assert_uint_eq(o.main.drop_requests, 0);
    free(out);
    free(src);
}
END_TEST

/* On one core the two threads also share the CPU in OS time slices
 * (3 ms).  A thread forced to drop waits on switch_cond until the other
 * took the lock; woken then, it must wait in the run queue until the new
 * holder's time slice ends before it can even start its timed wait; and
 * when that wait expires, it runs only once the holder's next slice is
 * over.  One hand-over therefore takes timeslice + max(interval,
 * timeslice):
 *     forced = floor(run / (timeslice + max(interval, timeslice)))
 * i.e. 100 ms / 8 ms = 12 at 5 ms (16 at 2 ms, 7 at 10 ms, 4 at 20 ms). */
START_TEST(test_cpython_forced_switches_one_core) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    Observed o;
    char *src = with_prefix("RUN = 0.1\n", spin_program);
    char *out = run(src, (Policy){"cpython", 0.005, false}, &cfg, &o);
    double run_s = value_of(out, "run");
    uint64_t forced = SUM(&o, forced_switches);
    double slice = (double)cfg.timeslice_ns / 1e9;
    double expect = floor(run_s / (slice + fmax(0.005, slice)));
    FIGURES("run %.9f s, forced %llu, formula %.0f", run_s, (unsigned long long)forced, expect);
    print_stats("1 core", &o);
    ck_assert_uint_eq(forced, 12);
    ck_assert_msg(fabs((double)forced - expect) <= 1, "forced %llu, formula %.0f",
                  (unsigned long long)forced, expect);
    ck_assert_uint_eq(SUM(&o, drop_requests), forced);
    /* Fewer switches than on two cores, but fair: 6 each. */
    ck_assert_uint_eq(stats_of(&o, "a")->forced_switches, stats_of(&o, "b")->forced_switches);
    free(out);
    free(src);
}
END_TEST

/* sys.setswitchinterval in the program changes the interval of the running
 * lock: 2 ms instead of the 5 ms the VM started with gives
 * floor(100 / 2) - 1 = 49 +-1 forced switches (48 observed: 100 ms is a
 * multiple of 2 ms, and the last request loses the race with the
 * deadline). */
START_TEST(test_cpython_setswitchinterval) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Observed o;
    char *src = with_prefix("import sys\nsys.setswitchinterval(0.002)\nRUN = 0.1\n", spin_program);
    char *out = run(src, (Policy){"cpython", 0, false}, &cfg, &o);
    double run_s = value_of(out, "run");
    uint64_t forced = SUM(&o, forced_switches);
    double expect = floor(run_s / 0.002) - 1;
    FIGURES("run %.9f s, forced %llu, formula %.0f", run_s, (unsigned long long)forced, expect);
    ck_assert_uint_eq(forced, 48);
    ck_assert_msg(fabs((double)forced - expect) <= 1, "forced %llu, formula %.0f",
                  (unsigned long long)forced, expect);
    free(out);
    free(src);
}
END_TEST

/* Without FORCE_SWITCHING the waiter still asks every interval, and the
 * holder still drops (drop_requests), but nothing makes it wait for the
 * waiter: it re-takes the lock at once, the waiter wakes to find it taken
 * again (a futile wake-up) and waits another interval.  No forced switch
 * is counted, real switches almost vanish and one thread keeps the lock:
 * on two cores b gets it once from a (after the start-up wait of 2
 * intervals) and keeps it to the end; on one core b never gets it. */
START_TEST(test_cpython_no_force_switching) {
    int cores[] = {2, 1};
    /* forced-on switched_in for comparison: 2 cores 23, 1 core 16 */
    for (int k = 0; k < 2; k++) {
        SimConfig cfg;
        test_exact_sim_config(&cfg, cores[k]);
        Observed on, off;
        char *src = with_prefix("RUN = 0.1\n", spin_program);
        char *out_on = run(src, (Policy){"cpython", 0.005, false}, &cfg, &on);
        char *out_off = run(src, (Policy){"cpython", 0.005, true}, &cfg, &off);
        double run_s = value_of(out_off, "run");
        FIGURES("%d cores: switched_in on %llu off %llu; drops off %llu; futile off %llu", cores[k],
                (unsigned long long)SUM(&on, switched_in), (unsigned long long)SUM(&off, switched_in),
                (unsigned long long)SUM(&off, drop_requests),
                (unsigned long long)SUM(&off, futile_wakeups));
        print_stats(cores[k] == 2 ? "off, 2 cores" : "off, 1 core", &off);
        ck_assert_uint_eq(SUM(&off, forced_switches), 0);
        /* Still asked about once an interval (2 cores: 18; 1 core: 12, one
         * per timeslice + interval as with forcing)... */
        uint64_t drops = SUM(&off, drop_requests);
        if (cores[k] == 2) {
            ck_assert_uint_eq(drops, 18);
            ck_assert_msg(fabs((double)drops - (floor(run_s / 0.005) - 2)) <= 1, "drops %llu",
                          (unsigned long long)drops);
        } else {
            ck_assert_uint_eq(drops, 12);
        }
        /* ... each request answered by a drop and an immediate re-take
         * that the waiter finds when it wakes. */
        ck_assert_uint_ge(SUM(&off, futile_wakeups), drops - 1);
        /* Real switches: at most 3 per thread (the start), against one
         * per interval with forcing. */
        ck_assert_uint_le(SUM(&off, switched_in), 5);
        ck_assert_uint_ge(SUM(&on, switched_in), 4 * SUM(&off, switched_in));
        /* One thread held the lock for most of the run (2 cores: b, 85 ms
         * of 100 - all but the first 10 ms and its last hold, which
         * held_ns lacks, see test_finished_thread_held_ns; 1 core: a, 99.9
         * ms). */
        uint64_t ha = stats_of(&off, "a")->held_ns, hb = stats_of(&off, "b")->held_ns;
        ck_assert_msg((double)(ha > hb ? ha : hb) >= 0.8 * run_s * 1e9, "held a %llu b %llu ns",
                      (unsigned long long)ha, (unsigned long long)hb);
        free(out_on);
        free(out_off);
        free(src);
    }
}
END_TEST

/* ---- legacy: CPython 2's lock and the GIL battle --------------------------- */

/* Assertions here are ratios, not counts: they must hold whether a tick
 * is a safe point (now) or an instruction (as CPython 2's _Py_Ticker),
 * which changes how often the holder releases, not the shape.
 *
 * Two cores: the holder releases every check interval and re-takes the
 * lock at once, before the waiter it signalled has been scheduled; the
 * waiter wakes on the other core and finds it taken - a futile wake-up,
 * thousands of them for a handful of real switches (calibrated model:
 * 4680 futile wake-ups for 10 switches in 100 ms; exact model, where the
 * releaser always wins: about 31000 for 5, the waiter never runs). */
START_TEST(test_legacy_battle_on_two_cores) {
    for (int model = 0; model < 2; model++) {
        SimConfig cfg;
        if (model == 0) calibrated_config(&cfg, 2, 1);
        else test_exact_sim_config(&cfg, 2);
        Observed o;
        char *src = with_prefix("RUN = 0.1\n", spin_program);
        char *out = run(src, (Policy){"legacy", 0, false}, &cfg, &o);
        uint64_t futile = SUM(&o, futile_wakeups), switches = SUM(&o, switched_in);
        FIGURES("%s model: futile %llu, switched_in %llu, ratio %.0f",
                model == 0 ? "calibrated" : "exact", (unsigned long long)futile,
                (unsigned long long)switches, (double)futile / (double)switches);
        print_stats(model == 0 ? "calibrated" : "exact", &o);
        ck_assert_uint_gt(switches, 0);
        ck_assert_msg(futile > 10 * switches, "futile %llu, switches %llu",
                      (unsigned long long)futile, (unsigned long long)switches);
        /* The holder releases on its own: nothing waits for a taker. */
        ck_assert_uint_eq(SUM(&o, forced_switches), 0);
        free(out);
        free(src);
    }
}
END_TEST

/* One core: the signalled waiter cannot run before the OS preempts the
 * holder at the end of its time slice, and by then the holder has the
 * lock again, so the waiter wakes at most once per time slice (32 in
 * 100 ms of 3 ms slices) - no battle, but no switch either: the model has
 * no wake-up preemption (the woken thread queues behind the running one),
 * so the waiting thread gets the lock only when the holder stops.  This
 * asserts the absence of the battle (a few wake-ups per slice at most,
 * tens of times fewer than on two cores), not the starvation. */
START_TEST(test_legacy_no_battle_on_one_core) {
    SimConfig one, two;
    calibrated_config(&one, 1, 1);
    calibrated_config(&two, 2, 1);
    Observed o1, o2;
    char *src = with_prefix("RUN = 0.1\n", spin_program);
    char *out1 = run(src, (Policy){"legacy", 0, false}, &one, &o1);
    char *out2 = run(src, (Policy){"legacy", 0, false}, &two, &o2);
    double run_s = value_of(out1, "run");
    uint64_t f1 = SUM(&o1, futile_wakeups), f2 = SUM(&o2, futile_wakeups);
    double slices = run_s / ((double)one.timeslice_ns / 1e9);
    FIGURES("1 core: futile %llu (%.1f slices), switched_in %llu; 2 cores: futile %llu",
            (unsigned long long)f1, slices, (unsigned long long)SUM(&o1, switched_in),
            (unsigned long long)f2);
    print_stats("1 core", &o1);
    ck_assert_msg((double)f1 <= slices + 2, "futile %llu in %.1f slices", (unsigned long long)f1,
                  slices);
    ck_assert_msg(f2 > 20 * f1, "futile: 1 core %llu, 2 cores %llu", (unsigned long long)f1,
                  (unsigned long long)f2);
    free(out1);
    free(out2);
    free(src);
}
END_TEST

/* ---- fifo: Ruby MRI's GVL -------------------------------------------------- */

/* Four threads start in the order c, a, b, d and block in gilt.io for
 * 15, 5, 10 and 20 ms, so they come back (and queue for the lock) in the
 * order a, b, c, d while the main thread spins for 30 ms - less than the
 * 100 ms quantum, so nobody takes the lock before it stops.  Each appends
 * its name when it gets the lock. */
static const char *const arrival_program =
    "import threading, time, gilt\n"
    "order = []\n"
    "got = []\n"
    "def waiter(name, d):\n"
    "    gilt.io(d)\n"
    "    got.append(time.monotonic())\n"
    "    order.append(name)\n"
    "ws = [threading.Thread(target=waiter, args=(n, d), name=n)\n"
    "      for n, d in (('c', 0.015), ('a', 0.005), ('b', 0.010), ('d', 0.020))]\n"
    "for w in ws: w.start()\n"
    "end = time.monotonic() + 0.03\n"
    "while time.monotonic() < end:\n"
    "    pass\n"
    "spun = time.monotonic()\n"
    "for w in ws: w.join()\n"
    "print('order', ''.join(order))\n"
    "print('first', min(got) - spun)\n"
    "print('last', max(got) - spun)\n";

START_TEST(test_fifo_hands_off_in_arrival_order) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Observed o;
    char buf[32];
    char *out = run(arrival_program, (Policy){"fifo", 0, false}, &cfg, &o);
    FIGURES("fifo: order %s, first %.9f s and last %.9f s after the spin",
            word_of(out, "order", buf, sizeof buf), value_of(out, "first"), value_of(out, "last"));
    ck_assert_str_eq(word_of(out, "order", buf, sizeof buf), "abcd");
    /* All of them after the holder stopped (at most microseconds after). */
    ck_assert(value_of(out, "first") >= 0);
    ck_assert(value_of(out, "last") < 0.0001);
    /* The holder was never asked to drop: 30 ms is under the quantum. */
    ck_assert_uint_eq(o.main.drop_requests, 0);
    free(out);
    /* The same program under the new GIL: each waiter forces the spinner
     * off after an interval (a, back at 5 ms, gets it at 10 ms; b, back at
     * 10 ms, at 15 ms), but the lock is not handed over: c comes back at
     * 15 ms just as the spinner drops it for b, finds it free and takes it
     * first (barging) - order a, c, b, d. */
    out = run(arrival_program, (Policy){"cpython", 0, false}, &cfg, &o);
    FIGURES("cpython: order %s", word_of(out, "order", buf, sizeof buf));
    ck_assert_str_eq(word_of(out, "order", buf, sizeof buf), "acbd");
    free(out);
}
END_TEST

/* Three CPU-bound threads under a 10 ms quantum: a thread that gives the
 * lock up at the end of its quantum goes to the back of the queue, so the
 * lock goes round a, b, c, a, b, c ... - once per quantum, 200 ms / 10 ms
 * = 20 turns.  Each thread appends its name when it sees the lock changed
 * hands. */
static const char *const round_robin_program =
    "import threading, time\n"
    "go = threading.Event()\n"
    "deadline = 0.0\n"
    "seq = []\n"
    "last = None\n"
    "def spin(name):\n"
    "    global last\n"
    "    go.wait()\n"
    "    while time.monotonic() < deadline:\n"
    "        if last != name:\n"
    "            seq.append(name)\n"
    "            last = name\n"
    "ts = [threading.Thread(target=spin, args=(c,), name=c) for c in 'abc']\n"
    "for t in ts: t.start()\n"
    "deadline = time.monotonic() + 0.2\n"
    "go.set()\n"
    "for t in ts: t.join()\n"
    "print('turns', ''.join(seq))\n";

START_TEST(test_fifo_round_robin) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Observed o;
    char buf[256];
    char *out = run(round_robin_program, (Policy){"fifo", 0.010, false}, &cfg, &o);
    const char *turns = word_of(out, "turns", buf, sizeof buf);
    FIGURES("fifo: %s (%zu turns)", turns, strlen(turns));
    ck_assert_int_eq((int)strlen(turns), 20);
    for (size_t i = 0; turns[i]; i++) ck_assert_int_eq(turns[i], "abc"[i % 3]);
    /* Each quantum ended in one drop request: 19 hand-overs. */
    ck_assert_uint_eq(SUM(&o, drop_requests), 19);
    free(out);
    /* The new GIL, same interval, also rotates, but not in arrival order
     * on two cores (a, c, b, ...). */
    out = run(round_robin_program, (Policy){"cpython", 0.010, false}, &cfg, &o);
    turns = word_of(out, "turns", buf, sizeof buf);
    FIGURES("cpython: %s", turns);
    ck_assert(strncmp(turns, "abcabc", 6) != 0);
    free(out);
}
END_TEST

/* A thread back from 1 ms of I/O queues behind the spinning main thread;
 * the first waiter times one quantum and then asks the holder to drop, so
 * its wait after the I/O is the quantum: 100 ms by default (MRI's timer
 * thread), the switch interval when one is set - 20 ms here - and under
 * the new GIL one 5 ms interval. */
static const char *const quantum_program =
    "import threading, time, gilt\n"
    "res = []\n"
    "def w():\n"
    "    t0 = time.monotonic()\n"
    "    gilt.io(0.001)\n"
    "    res.append(time.monotonic() - t0 - 0.001)\n"
    "t = threading.Thread(target=w, name='w')\n"
    "t.start()\n"
    "end = time.monotonic() + 0.25\n"
    "while time.monotonic() < end:\n"
    "    pass\n"
    "t.join()\n"
    "print('wait', res[0])\n";

START_TEST(test_fifo_quantum) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    struct {
        Policy p;
        double quantum;
    } cases[] = {
        {{"fifo", 0, false}, 0.100},
        {{"fifo", 0.020, false}, 0.020},
        {{"cpython", 0, false}, 0.005},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Observed o;
        char *out = run(quantum_program, cases[i].p, &cfg, &o);
        double wait = value_of(out, "wait");
        FIGURES("%s interval %g: wait %.9f s, main drops %llu, w wait_ns %llu", cases[i].p.policy,
                cases[i].p.interval, wait, (unsigned long long)o.main.drop_requests,
                (unsigned long long)stats_of(&o, "w")->wait_ns);
        /* The quantum, plus the few bytecodes to the holder's next safe
         * point (under 10 us). */
        ck_assert_msg(wait >= cases[i].quantum && wait < cases[i].quantum + 1e-5,
                      "%s: waited %.9f s, quantum %.3f s", cases[i].p.policy, wait,
                      cases[i].quantum);
        /* The spinner was asked once, by w. */
        ck_assert_uint_eq(o.main.drop_requests, 1);
        free(out);
    }
}
END_TEST

/* ---- iopri and bfs: I/O returns preempt ------------------------------------ */

/* A thread doing ten 2 ms I/O calls next to the CPU-bound main thread; it
 * measures how long each call took beyond its 2 ms: the wait for the lock
 * after the I/O. */
static const char *const io_program =
    "import threading, time, gilt\n"
    "waits = []\n"
    "def io_loop():\n"
    "    for _ in range(10):\n"
    "        t0 = time.monotonic()\n"
    "        gilt.io(0.002)\n"
    "        waits.append(time.monotonic() - t0 - 0.002)\n"
    "t = threading.Thread(target=io_loop, name='io')\n"
    "t.start()\n"
    "end = time.monotonic() + 0.08\n"
    "while time.monotonic() < end:\n"
    "    pass\n"
    "t.join()\n"
    "print('min', min(waits))\n"
    "print('max', max(waits))\n";

/* Under the new GIL each return waits one whole interval (5 ms); under
 * iopri and bfs a returning thread asks the holder to drop at once and
 * goes first, so it waits only for the holder's next safe point (72 ns). */
static void io_returns_preempt(const char *policy) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Observed o, oc;
    char *out = run(io_program, (Policy){policy, 0, false}, &cfg, &o);
    char *outc = run(io_program, (Policy){"cpython", 0, false}, &cfg, &oc);
    double mx = value_of(out, "max"), cmin = value_of(outc, "min"), cmax = value_of(outc, "max");
    FIGURES("%s: max wait %.9f s (io wait_ns %llu, main drops %llu); cpython %.9f..%.9f s "
            "(io wait_ns %llu)",
            policy, mx, (unsigned long long)stats_of(&o, "io")->wait_ns,
            (unsigned long long)o.main.drop_requests, cmin, cmax,
            (unsigned long long)stats_of(&oc, "io")->wait_ns);
    print_stats(policy, &o);
    ck_assert_msg(mx < 1e-5, "%s: an I/O return waited %.9f s", policy, mx);
    ck_assert_msg(cmin >= 0.005 && cmax < 0.005 + 1e-5, "cpython: waits %.9f..%.9f s", cmin, cmax);
    /* The main thread was asked to drop at (at least) every return. */
    ck_assert_uint_ge(o.main.drop_requests, 10);
    /* In total: cpython's I/O thread waited ten intervals (50 ms); the
     * preempting one at most one quantum (at thread start: the main
     * thread, back from waiting in start(), preempted it in turn). */
    ck_assert_uint_ge(stats_of(&oc, "io")->wait_ns, 50000000);
    ck_assert_uint_le(stats_of(&o, "io")->wait_ns, 10000000 + 100000);
    free(out);
    free(outc);
}

START_TEST(test_iopri_io_return_preempts) { io_returns_preempt("iopri"); }
END_TEST

START_TEST(test_bfs_io_return_preempts) { io_returns_preempt("bfs"); }
END_TEST

/* Two CPU-bound threads for 200 ms under bfs (10 ms slices): earliest
 * deadline first makes them alternate slice by slice; each holds half the
 * run.  They end with gilt.io(0), a release, so their last hold is in
 * held_ns (see test_finished_thread_held_ns). */
static const char *const fair_program =
    "import threading, time, gilt\n"
    "go = threading.Event()\n"
    "deadline = 0.0\n"
    "counts = {}\n"
    "def spin(name):\n"
    "    go.wait()\n"
    "    n = 0\n"
    "    while time.monotonic() < deadline:\n"
    "        n += 1\n"
    "    counts[name] = n\n"
    "    gilt.io(0)\n"
    "ts = [threading.Thread(target=spin, args=(c,), name=c) for c in 'ab']\n"
    "for t in ts: t.start()\n"
    "t0 = time.monotonic()\n"
    "deadline = t0 + 0.2\n"
    "go.set()\n"
    "for t in ts: t.join()\n"
    "print('count_a', counts['a'])\n"
    "print('count_b', counts['b'])\n";

START_TEST(test_bfs_shares_fairly) {
    int cores[] = {2, 1};
    for (int k = 0; k < 2; k++) {
        SimConfig cfg;
        test_exact_sim_config(&cfg, cores[k]);
        Observed o;
        char *out = run(fair_program, (Policy){"bfs", 0, false}, &cfg, &o);
        double ha = (double)stats_of(&o, "a")->held_ns, hb = (double)stats_of(&o, "b")->held_ns;
        double ca = value_of(out, "count_a"), cb = value_of(out, "count_b");
        FIGURES("%d cores: held a %.0f b %.0f ns (%.2f%%), counts %.0f %.0f, drops %llu", cores[k],
                ha, hb, 100 * fabs(ha - hb) / fmax(ha, hb), ca, cb,
                (unsigned long long)SUM(&o, drop_requests));
        ck_assert_msg(fabs(ha - hb) <= 0.10 * fmax(ha, hb), "held a %.0f b %.0f", ha, hb);
        ck_assert_msg(fabs(ca - cb) <= 0.10 * fmax(ca, cb), "counts a %.0f b %.0f", ca, cb);
        /* Together they held the lock for the whole run. */
        ck_assert_msg(ha + hb >= 0.199e9, "held %.0f ns in all", ha + hb);
        /* One slice at a time: about 20 turns in 200 ms (two cores: 25
         * drop requests, the extra ones asked by threads coming back from
         * go.wait() and gilt.io(0)). */
        ck_assert_uint_ge(SUM(&o, drop_requests), 15);
        /* On two cores neither waits for a core: closer still. */
        if (cores[k] == 2) ck_assert_msg(fabs(ha - hb) <= 0.01 * fmax(ha, hb), "2 cores");
        free(out);
    }
}
END_TEST

/* ---- none: no lock at all --------------------------------------------------- */

/* A countdown run once by the main thread and then by two threads at once;
 * each ends with gilt.io(0), so its hold (with no lock: its whole run) is
 * in held_ns. */
static const char *const parallel_program =
    "import threading, time, gilt\n"
    "def count(n):\n"
    "    while n > 0:\n"
    "        n -= 1\n"
    "    gilt.io(0)\n"
    "t0 = time.monotonic()\n"
    "count(2000000)\n"
    "seq = time.monotonic() - t0\n"
    "ts = [threading.Thread(target=count, args=(2000000,), name=n) for n in 'ab']\n"
    "t0 = time.monotonic()\n"
    "for t in ts: t.start()\n"
    "for t in ts: t.join()\n"
    "print('ratio', (time.monotonic() - t0) / seq)\n"
    "print('par', time.monotonic() - t0)\n";

START_TEST(test_none_runs_threads_in_parallel) {
    struct {
        const char *policy;
        int cores;
        double lo, hi;
    } cases[] = {
        {"none", 2, 0.99, 1.01},    /* in parallel: as long as one */
        {"none", 1, 1.99, 2.01},    /* one core: time-shared */
        {"cpython", 2, 1.99, 2.01}, /* a lock: as long as both */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SimConfig cfg;
        test_exact_sim_config(&cfg, cases[i].cores);
        Observed o;
        char *out = run(parallel_program, (Policy){cases[i].policy, 0, false}, &cfg, &o);
        double ratio = value_of(out, "ratio"), par = value_of(out, "par");
        FIGURES("%s on %d cores: ratio %.4f, held a+b %llu ns in %.0f ns", cases[i].policy,
                cases[i].cores, ratio,
                (unsigned long long)(stats_of(&o, "a")->held_ns + stats_of(&o, "b")->held_ns),
                par * 1e9);
        print_stats(cases[i].policy, &o);
        ck_assert_msg(ratio >= cases[i].lo && ratio <= cases[i].hi, "%s on %d cores: ratio %.4f",
                      cases[i].policy, cases[i].cores, ratio);
        if (strcmp(cases[i].policy, "none") != 0) {
            free(out);
            continue;
        }
        /* gil_none's hooks do nothing; the shared wrappers still count an
         * "acquisition" at thread start and after each blocking call, with
         * no wait, and nothing else happens. */
        const char *names[] = {"a", "b", "MainThread"};
        for (int k = 0; k < 3; k++) {
            const GilStats *s = stats_of(&o, names[k]);
            ck_assert_uint_eq(s->wait_ns, 0);
            ck_assert_uint_eq(s->drop_requests, 0);
            ck_assert_uint_eq(s->forced_switches, 0);
            ck_assert_uint_eq(s->futile_wakeups, 0);
            ck_assert_uint_le(s->acquisitions, s->io_releases + 1);
        }
        /* On two cores both "hold" it at once: together longer than the
         * run, which no lock allows. */
        if (cases[i].cores == 2)
            ck_assert_msg((double)(stats_of(&o, "a")->held_ns + stats_of(&o, "b")->held_ns) >
                              1.9 * par * 1e9,
                          "held a %llu b %llu in %.0f ns",
                          (unsigned long long)stats_of(&o, "a")->held_ns,
                          (unsigned long long)stats_of(&o, "b")->held_ns, par * 1e9);
        free(out);
    }
}
END_TEST

/* ---- replay --------------------------------------------------------------- */

/* Two CPU threads and an I/O thread on the calibrated model (random
 * wake-up latencies): the same seed gives the same statistics, bytecode
 * counts and output under every policy; another seed other figures. */
static const char *const mixed_program =
    "import threading, time, gilt\n"
    "deadline = time.monotonic() + 0.03\n"
    "waits = []\n"
    "def spin():\n"
    "    n = 0\n"
    "    while time.monotonic() < deadline:\n"
    "        n += 1\n"
    "def io():\n"
    "    while time.monotonic() < deadline:\n"
    "        t0 = time.monotonic()\n"
    "        gilt.io(0.001)\n"
    "        waits.append(time.monotonic() - t0)\n"
    "ts = [threading.Thread(target=f, name=n) for f, n in ((io, 'io'), (spin, 'a'), (spin, 'b'))]\n"
    "for t in ts: t.start()\n"
    "for t in ts: t.join()\n"
    "print('waits', len(waits), sum(waits))\n";

START_TEST(test_replay_same_seed) {
    const char *policies[] = {"cpython", "legacy", "fifo", "iopri", "bfs", "none"};
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        Policy p = {policies[i], 0, false};
        SimConfig cfg;
        calibrated_config(&cfg, 2, 7);
        Observed a, b, c;
        char *out_a = run(mixed_program, p, &cfg, &a);
        char *out_b = run(mixed_program, p, &cfg, &b);
        calibrated_config(&cfg, 2, 8);
        char *out_c = run(mixed_program, p, &cfg, &c);
        FIGURES("%s: seed 7: %.*s; seed 8: %.*s", policies[i], (int)strcspn(out_a, "\n"), out_a,
                (int)strcspn(out_c, "\n"), out_c);
        ck_assert_int_eq(a.n, 3);
        ck_assert_str_eq(out_a, out_b);
        ck_assert_int_eq(a.n, b.n);
        for (int k = 0; k < a.n; k++) {
            ck_assert_str_eq(a.names[k], b.names[k]);
            ck_assert_msg(memcmp(&a.st[k], &b.st[k], sizeof a.st[k]) == 0,
                          "%s: thread %s differs between two runs of one seed", policies[i],
                          a.names[k]);
            ck_assert_uint_eq(a.bytecodes[k], b.bytecodes[k]);
        }
        ck_assert(memcmp(&a.main, &b.main, sizeof a.main) == 0);
        ck_assert_uint_eq(a.end_ns, b.end_ns);
        /* Another seed draws other latencies: other figures. */
        ck_assert_msg(memcmp(&a, &c, sizeof a) != 0 || strcmp(out_a, out_c) != 0,
                      "%s: seeds 7 and 8 gave the same run", policies[i]);
        free(out_a);
        free(out_b);
        free(out_c);
    }
}
END_TEST

/* ---- shared statistics ---------------------------------------------------- */

/* A finished thread's statistics are copied while it still holds the
 * lock, before its final release: record_finished must add that last hold
 * (it once did not, so held_ns - and --stats' held_ms - of every finished
 * thread lacked its last hold, and a thread that never gave the lock up
 * showed 0). */
START_TEST(test_finished_thread_held_ns) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    Observed o;
    char *out = run("import threading, time\n"
                    "span = []\n"
                    "def work():\n"
                    "    t0 = time.monotonic()\n"
                    "    n = 0\n"
                    "    while n < 200000:\n"
                    "        n += 1\n"
                    "    span.append(time.monotonic() - t0)\n"
                    "t = threading.Thread(target=work, name='w')\n"
                    "t.start()\n"
                    "t.join()\n"
                    "print('span', span[0])\n",
                    (Policy){"cpython", 0, false}, &cfg, &o);
    double span = value_of(out, "span");
    const GilStats *w = stats_of(&o, "w");
    FIGURES("span %.9f s, held_ns %llu, acquisitions %llu", span, (unsigned long long)w->held_ns,
            (unsigned long long)w->acquisitions);
    /* It ran well under one interval, so nobody asked it to drop. */
    ck_assert(span > 0.0005 && span < 0.005);
    ck_assert_uint_eq(w->acquisitions, 1);
    ck_assert_msg((double)w->held_ns >= span * 1e9,
                  "thread 'w' held the GIL for %.0f ns but held_ns is %llu "
                  "(the last hold before the final release is missing)",
                  span * 1e9, (unsigned long long)w->held_ns);
    free(out);
}
END_TEST

Suite *gil_suite(void) {
    Suite *s = suite_create("gil");
    struct {
        const char *name;
        const TTest *tests[4];
    } cases[] = {
        {"gil_cpython",
         {test_cpython_forced_switches_two_cores, test_cpython_forced_switches_one_core,
          test_cpython_setswitchinterval, test_cpython_no_force_switching}},
        {"gil_legacy", {test_legacy_battle_on_two_cores, test_legacy_no_battle_on_one_core}},
        {"gil_fifo", {test_fifo_hands_off_in_arrival_order, test_fifo_round_robin, test_fifo_quantum}},
        {"gil_iopri", {test_iopri_io_return_preempts}},
        {"gil_bfs", {test_bfs_io_return_preempts, test_bfs_shares_fairly}},
        {"gil_none", {test_none_runs_threads_in_parallel}},
        {"replay", {test_replay_same_seed}},
        {"record_finished", {test_finished_thread_held_ns}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 60);
        for (int k = 0; k < 4 && cases[i].tests[k]; k++) tcase_add_test(tc, cases[i].tests[k]);
        suite_add_tcase(s, tc);
    }
    return s;
}
