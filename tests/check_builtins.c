/*
 * tests/check_builtins.c - the builtins (vm/lib/builtins.c) and the built-in
 * modules (vm/mod_*.c), including the Mersenne Twister matching CPython.
 */
#include <check.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/lib/builtins.h"
#include "vm/object/list.h"
#include "vm/object/str.h"

START_TEST(test_parse_args) {
    TestVm t = test_vm_new();
    static const char *const names[] = {"a", "b", "c", NULL};
    Value args[3] = {VM_INT(1), VM_INT(3), VM_INT(2)};
    ObjTuple *kw = vm_tuple_new(t.vm, 1);
    kw->items[0] = VM_OBJ(vm_str_intern_cstr(t.vm, "c"));
    Value out[3];
    /* f(1, 3, c=2) */
    Value a2[3] = {args[0], args[1], args[2]};
    ck_assert(vm_parse_args(t.th, "f", a2, 2, kw, names, 1, 3, out));
    ck_assert_int_eq(VM_AS_INT(out[0]), 1);
    ck_assert_int_eq(VM_AS_INT(out[1]), 3);
    ck_assert_int_eq(VM_AS_INT(out[2]), 2);
    /* missing required */
    ck_assert(!vm_parse_args(t.th, "f", a2, 0, NULL, names, 1, 3, out));
    ck_assert(vm_exception_matches(t.th, t.vm->cls.TypeError));
    test_vm_free(&t);
}
END_TEST

START_TEST(test_random_matches_cpython) {
    /* Values printed by CPython 3.11 for the same seeds. */
    ck_assert_prints("import random\nrandom.seed(42)\nprint(random.random())\n"
                     "random.seed(0)\nprint(random.random(), random.randint(1, 10))\n",
                     "0.6394267984578837\n0.8444218515250481 7\n");
}
END_TEST

START_TEST(test_reductions) {
    ck_assert_prints("print(sum([1, 2.5]), min([3, 1, 2]), max('abc'), sorted({3: 0, 1: 0}), "
                     "any(x > 2 for x in [1, 3]), round(2.5), round(2.675, 2), divmod(-7, 2))\n",
                     "3.5 1 c [1, 3] True 2 2.67 (-4, 1)\n");
}
END_TEST

START_TEST(test_constructors) {
    ck_assert_prints("print(int(' 42 '), int('-0x1f', 16), int(7.9), float(' 1e3 '), bool([]), "
                     "str(1.5), int('1_000'), type(3) is int)\n",
                     "42 -31 7 1000.0 False 1.5 1000 True\n");
    test_assert_fails_with("int('abc')\n",
                           "ValueError: invalid literal for int() with base 10: 'abc'");
    test_assert_fails_with("float('x')\n",
                           "ValueError: could not convert string to float: 'x'");
}
END_TEST

START_TEST(test_modules) {
    ck_assert_prints("import math, sys, os, time\n"
                     "print(math.factorial(5), math.gcd(8, 12), sys.getswitchinterval(), "
                     "os.getpid() > 0, time.monotonic() > 0)\n",
                     "120 4 0.005 True True\n");
}
END_TEST

Suite *builtins_suite(void) {
    Suite *s = suite_create("builtins");
    struct { const char *name; const TTest *test; } cases[] = {
        {"vm_parse_args", test_parse_args},
        {"random", test_random_matches_cpython},
        {"reductions", test_reductions},
        {"constructors", test_constructors},
        {"modules", test_modules},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
