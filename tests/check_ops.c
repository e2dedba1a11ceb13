/*
 * tests/check_ops.c - the object protocol (vm/object/ops.c): numeric semantics,
 * comparisons across types, hashing, truth, attribute lookup and the
 * error messages CPython gives.
 */
#include <check.h>
#include <math.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/object/bigint.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

static TestVm t;
static void setup(void) { t = test_vm_new(); }
static void teardown(void) { test_vm_free(&t); }

static Value binop(Opcode op, Value a, Value b) {
    Value r = VM_UNDEF;
    ck_assert(vm_binary_op(t.th, op, a, b, &r));
    return r;
}

START_TEST(test_floor_semantics) {
    ck_assert_int_eq(VM_AS_INT(binop(OP_BINARY_FLOORDIV, VM_INT(-7), VM_INT(2))), -4);
    ck_assert_int_eq(VM_AS_INT(binop(OP_BINARY_MOD, VM_INT(-7), VM_INT(2))), 1);
    ck_assert_int_eq(VM_AS_INT(binop(OP_BINARY_MOD, VM_INT(7), VM_INT(-2))), -1);
    ck_assert(VM_AS_FLOAT(binop(OP_BINARY_MOD, VM_FLOAT(-7.5), VM_INT(2))) == 0.5);
    ck_assert(VM_AS_FLOAT(binop(OP_BINARY_FLOORDIV, VM_FLOAT(-7.5), VM_INT(2))) == -4.0);
    ck_assert(VM_AS_FLOAT(binop(OP_BINARY_TRUEDIV, VM_INT(1), VM_INT(4))) == 0.25);
    ck_assert(VM_IS_FLOAT(binop(OP_BINARY_POW, VM_INT(2), VM_INT(-1))));
}
END_TEST

START_TEST(test_overflow_and_zero) {
    Value r;
    /* int64 overflow promotes to a big int; a result that fits again is
     * normalised back to the inline int (one representation per value). */
    ck_assert(vm_binary_op(t.th, OP_BINARY_MUL, VM_INT(INT64_MAX), VM_INT(2), &r));
    ck_assert(vm_is_bigint(r));
    Value back;
    ck_assert(vm_binary_op(t.th, OP_BINARY_SUB, r, VM_INT(INT64_MAX), &back));
    ck_assert(VM_IS_INT(back));
    ck_assert_int_eq(VM_AS_INT(back), INT64_MAX);
    ck_assert_int_eq(vm_less(t.th, VM_INT(INT64_MAX), r), 1);
    ck_assert(!vm_binary_op(t.th, OP_BINARY_TRUEDIV, VM_INT(1), VM_INT(0), &r));
    ck_assert(vm_exception_matches(t.th, t.vm->cls.ZeroDivisionError));
}
END_TEST

START_TEST(test_mixed_compare_and_hash) {
    ck_assert_int_eq(vm_eq(t.th, VM_INT(1), VM_FLOAT(1.0)), 1);
    ck_assert_int_eq(vm_eq(t.th, VM_TRUE, VM_INT(1)), 1);
    ck_assert_int_eq(vm_less(t.th, VM_INT(INT64_MAX), VM_FLOAT(9.3e18)), 1);
    ck_assert_int_eq(vm_eq(t.th, VM_FLOAT(NAN), VM_FLOAT(NAN)), 0);
    uint64_t h1, h2;
    ck_assert(vm_hash(t.th, VM_INT(3), &h1));
    ck_assert(vm_hash(t.th, VM_FLOAT(3.0), &h2));
    ck_assert_uint_eq(h1, h2);
    Value r;
    ck_assert(!vm_compare(t.th, OP_COMPARE_LT, VM_INT(1), VM_NONE, &r));
    ck_assert(vm_exception_matches(t.th, t.vm->cls.TypeError));
}
END_TEST

START_TEST(test_truth_and_len) {
    ck_assert_int_eq(vm_truthy(t.th, VM_NONE), 0);
    ck_assert_int_eq(vm_truthy(t.th, VM_FLOAT(0.0)), 0);
    ck_assert_int_eq(vm_truthy(t.th, VM_OBJ(vm_str_from_cstr(t.vm, "x"))), 1);
    int64_t n;
    ck_assert(!vm_len(t.th, VM_INT(3), &n));
    ck_assert(vm_exception_matches(t.th, t.vm->cls.TypeError));
}
END_TEST

START_TEST(test_slice_indices) {
    ObjSlice *s = vm_slice_new(t.vm, VM_NONE, VM_NONE, VM_INT(-2));
    int64_t a, b, st, n;
    ck_assert(vm_slice_indices(t.th, s, 5, &a, &b, &st, &n));
    ck_assert_int_eq(a, 4);
    ck_assert_int_eq(n, 3);
    s = vm_slice_new(t.vm, VM_INT(-100), VM_INT(100), VM_NONE);
    ck_assert(vm_slice_indices(t.th, s, 5, &a, &b, &st, &n));
    ck_assert_int_eq(a, 0);
    ck_assert_int_eq(b, 5);
    ck_assert_int_eq(n, 5);
}
END_TEST

START_TEST(test_messages_match_cpython) {
    test_assert_fails_with("1 + 'a'\n",
                           "TypeError: unsupported operand type(s) for +: 'int' and 'str'");
    test_assert_fails_with("[] < 1\n",
                           "TypeError: '<' not supported between instances of 'list' and 'int'");
    test_assert_fails_with("None.x\n", "AttributeError: 'NoneType' object has no attribute 'x'");
    test_assert_fails_with("5[0]\n", "TypeError: 'int' object is not subscriptable");
    test_assert_fails_with("hash([])\n", "TypeError: unhashable type: 'list'");
    test_assert_fails_with("for x in 3: pass\n", "TypeError: 'int' object is not iterable");
}
END_TEST

START_TEST(test_reflected_and_getattr) {
    ck_assert_prints("class N:\n"
                     "    def __init__(self, v): self.v = v\n"
                     "    def __radd__(self, o): return N(o + self.v)\n"
                     "    def __getattr__(self, name): return name * 2\n"
                     "n = 1 + N(2)\nprint(n.v, n.zz)\n",
                     "3 zzzz\n");
}
END_TEST

Suite *ops_suite(void) {
    Suite *s = suite_create("ops");
    struct { const char *name; const TTest *test; } cases[] = {
        {"vm_binary_op", test_floor_semantics},
        {"vm_binary_op_errors", test_overflow_and_zero},
        {"vm_compare", test_mixed_compare_and_hash},
        {"vm_truthy", test_truth_and_len},
        {"vm_slice_indices", test_slice_indices},
        {"messages", test_messages_match_cpython},
        {"dunders", test_reflected_and_getattr},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
