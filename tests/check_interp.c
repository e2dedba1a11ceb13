/*
 * tests/check_interp.c - the interpreter loop (vm/runtime/interp.c), calls
 * (vm/runtime/call.c), classes (vm/object/class.c) and exceptions (vm/runtime/exc.c), driven by
 * small programs whose output is checked exactly.  The golden programs in
 * tests/programs cover the language more widely; these pin down the
 * mechanisms: argument binding, closures, unwinding, generators, safe
 * points and the recursion limits.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim/clock.h"
#include "sim/sched.h"

#include "tests/check_helpers.h"
#include "tests/check_suites.h"

START_TEST(test_arith_and_loops) {
    ck_assert_prints("n = 0\nfor i in range(10):\n    n += i\nprint(n)\n", "45\n");
    ck_assert_prints("i = 10\nwhile i > 0:\n    i -= 3\nprint(i)\n", "-2\n");
    ck_assert_prints("print(7 // -2, 7 % -2, -7 // 2, 2 ** 10, 7 / 2)\n",
                     "-4 -1 -4 1024 3.5\n");
    ck_assert_prints("for i in range(3):\n    pass\nelse:\n    print('done', i)\n",
                     "done 2\n");
    ck_assert_prints("for i in range(5):\n    if i == 2:\n        break\n"
                     "else:\n    print('no')\nprint(i)\n",
                     "2\n");
}
END_TEST

START_TEST(test_int_overflow_raises) {
    ck_assert_prints("x = 2 ** 62\nprint(x * 4, x * 4 - x * 4 + 1)\n",
                     "18446744073709551616 1\n");
}
END_TEST

START_TEST(test_argument_binding) {
    ck_assert_prints("def f(a, b=2, *args, c, d=4, **kw):\n"
                     "    print(a, b, args, c, d, sorted(kw.items()))\n"
                     "f(1, c=3)\n"
                     "f(1, 5, 6, 7, c=3, d=8, e=9)\n",
                     "1 2 () 3 4 []\n1 5 (6, 7) 3 8 [('e', 9)]\n");
    ck_assert_prints("def f(*a, **k):\n    return a, k\n"
                     "print(f(*[1, 2], **{'x': 3}))\n",
                     "((1, 2), {'x': 3})\n");
}
END_TEST

START_TEST(test_argument_errors) {
    test_assert_fails_with("def f(a, b):\n    pass\nf(1)\n",
                           "TypeError: f() missing 1 required positional "
                           "argument: 'b'");
    test_assert_fails_with("def f(a):\n    pass\nf(1, 2)\n",
                           "TypeError: f() takes 1 positional argument but 2 "
                           "were given");
    test_assert_fails_with("def f(a):\n    pass\nf(a=1, b=2)\n",
                           "TypeError: f() got an unexpected keyword argument "
                           "'b'");
    test_assert_fails_with("def f(a):\n    pass\nf(1, a=2)\n",
                           "TypeError: f() got multiple values for argument 'a'");
    test_assert_fails_with("def f(a, b, c):\n    pass\nf()\n",
                           "TypeError: f() missing 3 required positional "
                           "arguments: 'a', 'b', and 'c'");
}
END_TEST

START_TEST(test_closures) {
    ck_assert_prints("def counter():\n"
                     "    n = 0\n"
                     "    def inc():\n"
                     "        nonlocal n\n"
                     "        n += 1\n"
                     "        return n\n"
                     "    return inc\n"
                     "c = counter()\nc()\nc()\nprint(c())\n",
                     "3\n");
    ck_assert_prints("fs = [lambda x, i=i: x + i for i in range(3)]\n"
                     "print([f(10) for f in fs])\n",
                     "[10, 11, 12]\n");
}
END_TEST

START_TEST(test_exceptions_unwind) {
    ck_assert_prints("def f():\n"
                     "    try:\n"
                     "        1 / 0\n"
                     "    except ZeroDivisionError as e:\n"
                     "        print('caught', e)\n"
                     "    finally:\n"
                     "        print('finally')\n"
                     "    return 5\n"
                     "print(f())\n",
                     "caught division by zero\nfinally\n5\n");
    ck_assert_prints("def g():\n"
                     "    for i in range(3):\n"
                     "        try:\n"
                     "            if i == 1:\n"
                     "                continue\n"
                     "            if i == 2:\n"
                     "                return i\n"
                     "        finally:\n"
                     "            print('f', i)\n"
                     "print(g())\n",
                     "f 0\nf 1\nf 2\n2\n");
    ck_assert_prints("try:\n"
                     "    try:\n"
                     "        raise KeyError('k')\n"
                     "    except ValueError:\n"
                     "        print('wrong')\n"
                     "except LookupError as e:\n"
                     "    print('outer', repr(e))\n",
                     "outer KeyError('k')\n");
    ck_assert_prints("def f():\n"
                     "    try:\n"
                     "        raise ValueError('a')\n"
                     "    except ValueError:\n"
                     "        raise\n"
                     "try:\n"
                     "    f()\n"
                     "except ValueError as e:\n"
                     "    print('re-raised', e)\n",
                     "re-raised a\n");
}
END_TEST

START_TEST(test_traceback) {
    TestRun r = test_run("def f():\n    raise ValueError('bad')\n\ndef g():\n"
                         "    f()\n\ng()\n");
    ck_assert_int_eq(r.result, VM_RUNTIME_ERROR);
    ck_assert_int_eq(r.exit_status, 1);
    ck_assert_str_eq(r.err,
                     "Traceback (most recent call last):\n"
                     "  File \"<test>\", line 7, in <module>\n"
                     "  File \"<test>\", line 5, in g\n"
                     "  File \"<test>\", line 2, in f\n"
                     "ValueError: bad\n");
    test_run_free(&r);
}
END_TEST

START_TEST(test_recursion_error) {
    test_assert_fails_with("def f(n):\n    return f(n + 1)\nf(0)\n",
                           "RecursionError: maximum recursion depth exceeded");
    ck_assert_prints("def f(n):\n    return f(n + 1)\n"
                     "try:\n    f(0)\nexcept RecursionError:\n    print('ok')\n"
                     "print(f.__name__)\n",
                     "ok\nf\n");
}
END_TEST

START_TEST(test_generators) {
    ck_assert_prints("def gen(n):\n"
                     "    for i in range(n):\n"
                     "        yield i * i\n"
                     "print(list(gen(4)), sum(x for x in range(5)))\n",
                     "[0, 1, 4, 9] 10\n");
    ck_assert_prints("def g():\n"
                     "    try:\n"
                     "        yield 1\n"
                     "        yield 2\n"
                     "    finally:\n"
                     "        print('cleanup')\n"
                     "for v in g():\n"
                     "    print(v)\n",
                     "1\n2\ncleanup\n");
    ck_assert_prints("it = iter([1, 2])\nprint(next(it), next(it), next(it, 'end'))\n",
                     "1 2 end\n");
}
END_TEST

START_TEST(test_classes) {
    ck_assert_prints("class A:\n"
                     "    kind = 'a'\n"
                     "    def __init__(self, x):\n"
                     "        self.x = x\n"
                     "    def show(self):\n"
                     "        return '%s%d' % (self.kind, self.x)\n"
                     "class B(A):\n"
                     "    kind = 'b'\n"
                     "    def show(self):\n"
                     "        return 'B:' + super().show()\n"
                     "    def __repr__(self):\n"
                     "        return 'B(%r)' % self.x\n"
                     "b = B(3)\n"
                     "print(b.show(), repr(b), isinstance(b, A), type(b).__name__)\n",
                     "B:b3 B(3) True B\n");
    ck_assert_prints("class E(Exception):\n"
                     "    def __init__(self, code):\n"
                     "        super().__init__('code %d' % code)\n"
                     "        self.code = code\n"
                     "try:\n    raise E(7)\nexcept Exception as e:\n"
                     "    print(e, e.code, e.args)\n",
                     "code 7 7 ('code 7',)\n");
}
END_TEST

START_TEST(test_with_statement) {
    ck_assert_prints("class CM:\n"
                     "    def __enter__(self):\n"
                     "        print('enter')\n"
                     "        return 42\n"
                     "    def __exit__(self, t, v, tb):\n"
                     "        print('exit', t.__name__ if t else None)\n"
                     "        return True\n"
                     "with CM() as x:\n"
                     "    print(x)\n"
                     "with CM():\n"
                     "    raise ValueError('swallowed')\n"
                     "print('after')\n",
                     "enter\n42\nexit None\nenter\nexit ValueError\nafter\n");
}
END_TEST

START_TEST(test_unbound_and_name_errors) {
    test_assert_fails_with("print(undefined_name)\n",
                           "NameError: name 'undefined_name' is not defined");
    test_assert_fails_with("def f():\n    print(x)\n    x = 1\nf()\n",
                           "UnboundLocalError: cannot access local variable 'x' "
                           "where it is not associated with a value");
}
END_TEST

START_TEST(test_system_exit) {
    TestRun r = test_run("import sys\nprint('bye')\nsys.exit(3)\nprint('no')\n");
    ck_assert_int_eq(r.exit_status, 3);
    ck_assert_str_eq(r.out, "bye\n");
    test_run_free(&r);
}
END_TEST

START_TEST(test_compile_error_reported) {
    TestRun r = test_run("x = (1,\nprint(x)\n");
    ck_assert_int_eq(r.result, VM_COMPILE_ERROR);
    ck_assert_int_eq(r.exit_status, 1);
    ck_assert_msg(strncmp(r.err, "<test>:", 7) == 0, "got: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "SyntaxError"));
    test_run_free(&r);
}
END_TEST

/* Set the SIGNAL bit of a thread's breaker from another thread, as the
 * SIGINT handler does. */
static void *interrupt_later(void *arg) {
    _Atomic uint32_t *breaker = arg;
    sim_clock_sleep_ns(50 * 1000 * 1000);
    atomic_fetch_or(breaker, VM_BREAK_SIGNAL);
    return NULL;
}

START_TEST(test_safe_point_breaker) {
    /* An interrupt arriving while a loop spins is delivered at the next
     * back edge, inside the try block. */
    VmShared *vm = vm_shared_new(NULL);
    char *out = NULL;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    vm->out = f;
    vm->err = f;
    VmThread *th = vm_thread_new(vm);
    th->holds_gil = true;
    pthread_t t;
    pthread_create(&t, NULL, interrupt_later, (void *)&th->eval_breaker);
    VmResult r = vm_run_source(th,
                               "try:\n"
                               "    while True:\n"
                               "        pass\n"
                               "except KeyboardInterrupt:\n"
                               "    print('interrupted')\n",
                               "<test>");
    pthread_join(t, NULL);
    fclose(f);
    ck_assert_int_eq(r, VM_OK);
    ck_assert_str_eq(out, "interrupted\n");
    free(out);
    vm_shared_destroy(vm);
}
END_TEST

/* ---- where the lock may switch (the ticked loops) ---------------------- */

static const char *const racy_counter =
    "import threading\n"
    "N = 100000\n"
    "counter = 0\n"
    "def work():\n"
    "    global counter\n"
    "    for i in range(N):\n"
    "        counter += 1\n"
    "ts = [threading.Thread(target=work) for _ in range(8)]\n"
    "for t in ts: t.start()\n"
    "for t in ts: t.join()\n"
    "print(8 * N - counter)\n";

static long lost_updates(const char *policy, int cores) {
    VmOptions o;
    vm_options_default(&o);
    o.gil_name = policy;
    SimConfig cfg;
    sim_config_default(&cfg);
    cfg.cores = cores;
    TestRun r = test_run_on(racy_counter, &o, &cfg, NULL, NULL);
    ck_assert_msg(r.result == VM_OK, "%s", r.err);
    long lost = strtol(r.out, NULL, 10);
    test_run_free(&r);
    return lost;
}

START_TEST(test_legacy_switches_inside_a_statement) {
    /* CPython 2's ticker counted instructions, so a switch could fall
     * between the load and the store of `counter += 1`: updates were lost.
     * CPython 3.10+ switches only at back edges and calls: none are. */
    ck_assert_int_gt(lost_updates("legacy", 2), 1000);
    ck_assert_int_eq(lost_updates("cpython", 2), 0);
    ck_assert_int_eq(lost_updates("fifo", 2), 0);
    /* Without a lock, threads running at once on two virtual cores
     * interleave inside the statement too; on one core the OS model only
     * preempts at the end of a time slice, which falls inside it rarely. */
    ck_assert_int_gt(lost_updates("none", 2), 1000);
}
END_TEST

START_TEST(test_lost_updates_replay) {
    ck_assert_int_eq(lost_updates("legacy", 2), lost_updates("legacy", 2));
    ck_assert_int_eq(lost_updates("none", 4), lost_updates("none", 4));
}
END_TEST

/* A real platform whose clock counts its readings. */
static long clock_reads;
static VmPlatformOps counting_ops;

static uint64_t counting_now(void *ctx) {
    clock_reads++;
    return vm_platform_real().ops->now_ns(ctx);
}

static long clock_reads_of_countdown(const char *policy, int check_interval) {
    counting_ops = *vm_platform_real().ops;
    counting_ops.now_ns = counting_now;
    VmPlatform p = {&counting_ops, NULL};
    VmOptions o;
    vm_options_default(&o);
    o.platform = &p;
    o.gil_name = policy;
    o.check_interval = check_interval;
    clock_reads = 0;
    TestRun r = test_run_with("n = 300000\n"
                              "while n > 0:\n"
                              "    n -= 1\n", &o);
    ck_assert_msg(r.result == VM_OK, "%s", r.err);
    test_run_free(&r);
    return clock_reads;
}

START_TEST(test_ticks_read_no_clock) {
    /* A legacy check interval that never runs out must cost nothing: only
     * a real release reads the clock (it used to be read at every one of
     * the 300,000 back edges). */
    long legacy = clock_reads_of_countdown("legacy", 100000000);
    long cpython = clock_reads_of_countdown("cpython", 100);
    ck_assert_msg(legacy <= cpython + 4, "legacy read the clock %ld times, cpython %ld",
                  legacy, cpython);
    ck_assert_int_lt(legacy, 50);
    /* With the default interval, about one reading per check. */
    ck_assert_int_gt(clock_reads_of_countdown("legacy", 100), 1000);
}
END_TEST

Suite *interp_suite(void) {
    Suite *s = suite_create("interp");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"loops", test_arith_and_loops},
        {"overflow", test_int_overflow_raises},
        {"bind_arguments", test_argument_binding},
        {"bind_arguments_errors", test_argument_errors},
        {"closures", test_closures},
        {"unwind", test_exceptions_unwind},
        {"vm_print_traceback", test_traceback},
        {"recursion_limit", test_recursion_error},
        {"generators", test_generators},
        {"classes", test_classes},
        {"with", test_with_statement},
        {"name_errors", test_unbound_and_name_errors},
        {"system_exit", test_system_exit},
        {"compile_errors", test_compile_error_reported},
        {"eval_breaker", test_safe_point_breaker},
        {"ticked_loop_lost_updates", test_legacy_switches_inside_a_statement},
        {"ticked_loop_replay", test_lost_updates_replay},
        {"ticked_loop_clock", test_ticks_read_no_clock},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
