/*
 * tests/check_thread.c - threads and the lock (vm/lib/mod_thread.c, vm/gil*.c):
 * mutual exclusion under every policy, forced switches under the new GIL,
 * lock timeouts, and deadlock detection.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/clock.h"
#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/gil/gil.h"

/* ---- the lock itself, driven by raw pthreads --------------------------- */

typedef struct {
    VmShared *vm;
    VmThread *th;
    _Atomic int *inside;
    _Atomic int *overlaps;
    int rounds;
} Holder;

static void *hold_and_check(void *arg) {
    Holder *h = arg;
    for (int i = 0; i < h->rounds; i++) {
        vm_gil_acquire(h->th);
        if (atomic_fetch_add(h->inside, 1) != 0) atomic_fetch_add(h->overlaps, 1);
        for (volatile int k = 0; k < 200; k++) {
        }
        atomic_fetch_sub(h->inside, 1);
        vm_gil_release(h->th);
    }
    return NULL;
}

static void exclusion_with(const char *policy) {
    VmOptions o;
    vm_options_default(&o);
    o.gil_name = policy;
    VmShared *vm = vm_shared_new(&o);
    _Atomic int inside = 0, overlaps = 0;
    Holder h[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        h[i] = (Holder){vm, vm_thread_new(vm), &inside, &overlaps, 2000};
        pthread_create(&t[i], NULL, hold_and_check, &h[i]);
    }
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    ck_assert_int_eq(atomic_load(&overlaps), 0);
    uint64_t acq = 0;
    for (int i = 0; i < 3; i++) acq += h[i].th->gil_stats.acquisitions;
    ck_assert_uint_eq(acq, 6000);
    vm_shared_destroy(vm);
}

START_TEST(test_cpython_excludes) { exclusion_with("cpython"); }
END_TEST

START_TEST(test_legacy_excludes) { exclusion_with("legacy"); }
END_TEST

START_TEST(test_handoff_policies_exclude) {
    exclusion_with("fifo");
    exclusion_with("iopri");
    exclusion_with("bfs");
}
END_TEST


/* ---- through programs --------------------------------------------------- */

static TestRun run_policy(const char *source, const char *policy) {
    VmOptions o;
    vm_options_default(&o);
    o.gil_name = policy;
    return test_run_with(source, &o);
}

static const char *counter_program =
    "import threading\n"
    "n = 0\nlock = threading.Lock()\n"
    "def work():\n"
    "    global n\n"
    "    for _ in range(5000):\n"
    "        with lock:\n"
    "            n += 1\n"
    "ts = [threading.Thread(target=work) for _ in range(4)]\n"
    "for t in ts: t.start()\n"
    "for t in ts: t.join()\n"
    "print(n)\n";

START_TEST(test_locked_counter_every_policy) {
    const char *policies[] = {"cpython", "legacy"};
    for (int i = 0; i < 2; i++) {
        TestRun r = run_policy(counter_program, policies[i]);
        ck_assert_msg(r.result == VM_OK, "%s: %s", policies[i], r.err);
        ck_assert_str_eq(r.out, "20000\n");
        test_run_free(&r);
    }
}
END_TEST

START_TEST(test_forced_switches_happen) {
    VmOptions o;
    vm_options_default(&o);
    VmShared *vm = vm_shared_new(&o);
    char *out = NULL;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    vm->out = f;
    vm->err = f;
    VmThread *th = vm_thread_new(vm);
    vm_gil_acquire(th);
    VmResult r = vm_run_source(th,
                               "import threading, time\n"
                               "def spin():\n"
                               "    end = time.monotonic() + 0.3\n"
                               "    while time.monotonic() < end:\n"
                               "        pass\n"
                               "ts = [threading.Thread(target=spin) for _ in range(2)]\n"
                               "for t in ts: t.start()\n"
                               "for t in ts: t.join()\n",
                               "<test>");
    fclose(f);
    ck_assert_msg(r == VM_OK, "%s", out);
    uint64_t forced = 0;
    for (int i = 0; i < vm->finished_count; i++) forced += vm->finished_stats[i].forced_switches;
    /* Two CPU-bound threads for 0.3 s with a 5 ms interval: dozens of
     * forced switches; the bound is generous for loaded machines. */
    ck_assert_uint_ge(forced, 5);
    vm_gil_release(th);
    free(out);
    vm_shared_destroy(vm);
}
END_TEST

START_TEST(test_lock_timeout) {
    ck_assert_prints("import threading, time\n"
                     "l = threading.Lock()\nl.acquire()\n"
                     "t0 = time.monotonic()\n"
                     "got = l.acquire(timeout=0.05)\n"
                     "print(got, time.monotonic() - t0 >= 0.045)\n"
                     "print(l.acquire(blocking=False))\n",
                     "False True\nFalse\n");
    test_assert_fails_with("import threading\nthreading.Lock().acquire(False, 1)\n",
                           "ValueError: can't specify a timeout for a non-blocking call");
}
END_TEST

/* A deadlock must end the process with status 1 and a report, so run it in
 * a child process of its own. */
static int run_child(const char *source, char *err, size_t errsize) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        FILE *e = fdopen(fds[1], "w");
        VmShared *vm = vm_shared_new(NULL);
        vm->err = e;
        vm->out = e;
        VmThread *th = vm_thread_new(vm);
        vm_gil_acquire(th);
        VmResult r = vm_run_source(th, source, "<deadlock>");
        fflush(e);
        _exit(r == VM_OK ? 0 : 2);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < errsize && (k = read(fds[0], err + n, errsize - n - 1)) > 0) n += (size_t)k;
    err[n] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

START_TEST(test_deadlock_abba_reported) {
    char err[4096];
    int st = run_child("import threading\n"
                       "a = threading.Lock(); b = threading.Lock()\n"
                       "ready = threading.Barrier(2)\n"
                       "def one():\n"
                       "    with a:\n"
                       "        ready.wait()\n"
                       "        with b: pass\n"
                       "def two():\n"
                       "    with b:\n"
                       "        ready.wait()\n"
                       "        with a: pass\n"
                       "x = threading.Thread(target=one, name='one')\n"
                       "y = threading.Thread(target=two, name='two')\n"
                       "x.start(); y.start(); x.join(); y.join()\n",
                       err, sizeof err);
    ck_assert_int_eq(st, 1);
    ck_assert_msg(strstr(err, "gilt: deadlock") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "thread 'one'") && strstr(err, "thread 'two'"), "%s", err);
    ck_assert_msg(strstr(err, "<deadlock>:7") || strstr(err, "<deadlock>:11"), "%s", err);
}
END_TEST

START_TEST(test_deadlock_join_on_never_set_event) {
    char err[4096];
    int st = run_child("import threading\n"
                       "ev = threading.Event()\n"
                       "t = threading.Thread(target=ev.wait, name='waiter')\n"
                       "t.start()\n"
                       "t.join()\n",
                       err, sizeof err);
    ck_assert_int_eq(st, 1);
    ck_assert_msg(strstr(err, "thread 'MainThread'") && strstr(err, "thread 'waiter'"), "%s", err);
}
END_TEST

START_TEST(test_no_false_deadlock_with_sleepers) {
    ck_assert_prints("import threading, time\n"
                     "ev = threading.Event()\n"
                     "def later():\n"
                     "    time.sleep(0.05)\n"
                     "    ev.set()\n"
                     "t = threading.Thread(target=later)\n"
                     "t.start()\n"
                     "print(ev.wait())\n"
                     "t.join()\n",
                     "True\n");
}
END_TEST

/* The deadlock report (another thread) reads what each thread waits for
 * while holding vm->sched_lock, so a waiter must write its text and publish
 * the pointer only under that lock, never before taking it.  Holding the
 * lock here, a thread entering a contended wait must show nothing until
 * the lock is let go; then it shows its lock.  A second thread releases
 * the lock later, so everything ends. */
static VmThread *thread_named(VmShared *vm, const char *name) {
    for (VmThread *t = vm->threads; t; t = t->next)
        if (strcmp(t->name, name) == 0) return t;
    return NULL;
}

/* Runs while the program's threads live (test_run_on's inspect: the main
 * thread holds the GIL). */
static void check_waiting_for_published_under_lock(VmShared *vm, void *arg) {
    (void)arg;
    pthread_mutex_lock(&vm->sched_lock);
    vm_blocking_begin(vm->main_thread, VM_BLOCK_SLEEP);  /* let the waiter run into its wait */
    VmThread *w = thread_named(vm, "waiter");
    ck_assert_ptr_nonnull(w);
    const char *seen = NULL;
    for (int i = 0; i < 1000 && !seen; i++) {  /* 1 s, the waiter needs 0.1 s */
        seen = atomic_load(&w->waiting_for);
        sim_clock_sleep_ns(1000000);
    }
    ck_assert_msg(seen == NULL, "waiting_for published outside sched_lock: %s", seen);
    pthread_mutex_unlock(&vm->sched_lock);
    for (int i = 0; i < 2000 && !seen; i++) {  /* the release comes at 3 s */
        seen = atomic_load(&w->waiting_for);
        if (!seen) sim_clock_sleep_ns(1000000);
    }
    ck_assert_ptr_nonnull(seen);
    pthread_mutex_lock(&vm->sched_lock);
    ck_assert_msg(strstr(w->waiting_buf, "locked _thread.lock"), "%s", w->waiting_buf);
    pthread_mutex_unlock(&vm->sched_lock);
    vm_blocking_end(vm->main_thread);
}

START_TEST(test_waiting_for_published_under_sched_lock) {
    TestRun r = test_run_on("import threading, time\n"
                            "lock = threading.Lock(); lock.acquire()\n"
                            "ready = threading.Event()\n"
                            "def waiter():\n"
                            "    ready.set()\n"
                            "    time.sleep(0.1)\n"
                            "    lock.acquire()\n"
                            "def releaser():\n"
                            "    time.sleep(3)\n"
                            "    lock.release()\n"
                            "threading.Thread(target=waiter, name='waiter', daemon=True).start()\n"
                            "threading.Thread(target=releaser, daemon=True).start()\n"
                            "ready.wait()\n",
                            NULL, NULL, check_waiting_for_published_under_lock, NULL);
    ck_assert_msg(r.result == VM_OK, "%s", r.err);
    test_run_free(&r);  /* the VM went once both threads ended */
}
END_TEST

/* The convoy effect (bpo-7946): next to a CPU-bound thread, an echo round
 * trip waits for the GIL about one switch interval (4 ms here; about 20 us
 * without the CPU thread).  make check runs suites in parallel on a loaded
 * machine, so the test measures for 0.3 s once the CPU thread spins and only
 * asserts that waits of at least half an interval happen; the demo and the
 * benches show the distribution. */
START_TEST(test_convoy_round_trip_near_interval) {
    VmOptions o;
    vm_options_default(&o);
    o.switch_interval = 0.004;
    TestRun r = test_run_with(
        "import socket, threading, time, gilt\n"
        "a, b = socket.socketpair()\n"
        "def echo():\n"
        "    while True:\n"
        "        d = b.recv(100)\n"
        "        if not d: break\n"
        "        b.sendall(d)\n"
        "stop = False\n"
        "spins = 0\n"
        "def cpu():\n"
        "    global spins\n"
        "    while not stop: spins += 1\n"
        "h = gilt.Histogram('rtt')\n"
        "e = threading.Thread(target=echo); c = threading.Thread(target=cpu)\n"
        "e.start(); c.start()\n"
        "while spins == 0: time.sleep(0.001)\n"
        "end = time.perf_counter() + 0.3\n"
        "while time.perf_counter() < end:\n"
        "    t0 = time.perf_counter(); a.sendall('x'); a.recv(10)\n"
        "    h.record(time.perf_counter() - t0)\n"
        "stop = True\n"
        "a.close(); e.join(); c.join()\n"
        "print(h.max() >= 0.002, h.percentile(50), h.max())\n",
        &o);
    ck_assert_msg(r.result == VM_OK, "%s", r.err);
    ck_assert_msg(strncmp(r.out, "True", 4) == 0, "no convoy wait seen (p50, max): %s", r.out);
    test_run_free(&r);
}
END_TEST

/* A long native call holding the GIL stalls every other thread for its
 * whole length, whatever the interval. */
START_TEST(test_native_call_stalls_others) {
    ck_assert_prints("import threading, time, gilt\n"
                     "ticks = []\n"
                     "def ticker():\n"
                     "    end = time.monotonic() + 0.4\n"
                     "    while time.monotonic() < end:\n"
                     "        ticks.append(time.monotonic())\n"
                     "        time.sleep(0.002)\n"
                     "t = threading.Thread(target=ticker)\n"
                     "t.start()\n"
                     "time.sleep(0.05)\n"
                     "gilt.native(0.2)\n"
                     "t.join()\n"
                     "gaps = [b - a for a, b in zip(ticks, ticks[1:])]\n"
                     "print(max(gaps) >= 0.19)\n",
                     "True\n");
}
END_TEST

Suite *thread_suite(void) {
    Suite *s = suite_create("thread");
    struct { const char *name; const TTest *test; } cases[] = {
        {"gil_cpython_exclusion", test_cpython_excludes},
        {"gil_legacy_exclusion", test_legacy_excludes},
        {"gil_handoff_exclusion", test_handoff_policies_exclude},
        {"locked_counter", test_locked_counter_every_policy},
        {"forced_switches", test_forced_switches_happen},
        {"lock_timeout", test_lock_timeout},
        {"deadlock_abba", test_deadlock_abba_reported},
        {"deadlock_join", test_deadlock_join_on_never_set_event},
        {"no_false_deadlock", test_no_false_deadlock_with_sleepers},
        {"waiting_for_under_sched_lock", test_waiting_for_published_under_sched_lock},
        {"convoy", test_convoy_round_trip_near_interval},
        {"native_stall", test_native_call_stalls_others},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
