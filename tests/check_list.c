/*
 * tests/check_list.c - tuples, lists and ranges (vm/object/list.c): growth,
 * insertion and removal, the stable sort, slicing semantics.
 */
#include <check.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/object/list.h"

static TestVm t;
static void setup(void) { t = test_vm_new(); }
static void teardown(void) { test_vm_free(&t); }

START_TEST(test_append_insert_remove) {
    ObjList *l = vm_list_new(t.vm, 0);
    for (int i = 0; i < 1000; i++) vm_list_append(t.vm, l, VM_INT(i));
    ck_assert_int_eq(l->count, 1000);
    ck_assert_int_ge(l->capacity, 1000);
    vm_list_insert(t.vm, l, 0, VM_INT(-1));
    vm_list_insert(t.vm, l, 5000, VM_INT(1000)); /* clamps to the end */
    ck_assert_int_eq(VM_AS_INT(l->items[0]), -1);
    ck_assert_int_eq(VM_AS_INT(l->items[l->count - 1]), 1000);
    ck_assert_int_eq(VM_AS_INT(vm_list_remove_at(l, 1)), 0);
    ck_assert_int_eq(l->count, 1001);
    vm_list_clear(t.vm, l);
    ck_assert_int_eq(l->count, 0);
}
END_TEST

START_TEST(test_tuple_from) {
    Value items[3] = {VM_INT(1), VM_NONE, VM_TRUE};
    ObjTuple *tp = vm_tuple_from(t.vm, items, 3);
    ck_assert_int_eq(tp->count, 3);
    ck_assert(VM_IS_NONE(tp->items[1]));
    ObjTuple *e = vm_tuple_new(t.vm, 0);
    ck_assert_int_eq(e->count, 0);
}
END_TEST

START_TEST(test_sort_is_stable) {
    ObjList *l = vm_list_new(t.vm, 0);
    /* (key, original position) pairs sorted by key only. */
    int keys[] = {3, 1, 2, 1, 3, 2, 1, 0, 5, 4, 4, 0, 2, 9, 1, 3, 7};
    int n = (int)(sizeof keys / sizeof keys[0]);
    for (int i = 0; i < n; i++) vm_list_append(t.vm, l, VM_INT(keys[i] * 100 + i));
    ck_assert(vm_list_sort(t.th, l, VM_UNDEF, false));
    for (int i = 1; i < n; i++)
        ck_assert_int_le(VM_AS_INT(l->items[i - 1]), VM_AS_INT(l->items[i]));
    ck_assert(vm_list_sort(t.th, l, VM_UNDEF, true));
    for (int i = 1; i < n; i++)
        ck_assert_int_ge(VM_AS_INT(l->items[i - 1]), VM_AS_INT(l->items[i]));
}
END_TEST

START_TEST(test_sort_errors_propagate) {
    ObjList *l = vm_list_new(t.vm, 0);
    vm_list_append(t.vm, l, VM_INT(1));
    vm_list_append(t.vm, l, VM_NONE);
    ck_assert(!vm_list_sort(t.th, l, VM_UNDEF, false));
    ck_assert(vm_exception_matches(t.th, t.vm->cls.TypeError));
}
END_TEST

START_TEST(test_stable_sort_with_key_from_python) {
    ck_assert_prints("pairs = [('b', 1), ('a', 1), ('c', 0), ('d', 1)]\n"
                     "print(sorted(pairs, key=lambda p: p[1]))\n"
                     "print(sorted(pairs, key=lambda p: p[1], reverse=True))\n",
                     "[('c', 0), ('b', 1), ('a', 1), ('d', 1)]\n"
                     "[('b', 1), ('a', 1), ('d', 1), ('c', 0)]\n");
}
END_TEST

START_TEST(test_slices_from_python) {
    ck_assert_prints("l = list(range(10))\nl[2:8:2] = 'abc'\ndel l[::4]\n"
                     "print(l, l[::-3], l[-100:3], (1, 2, 3)[::-1], range(10)[2:7:2])\n",
                     "[1, 'a', 3, 5, 'c', 7, 9] [9, 5, 1] [1, 'a', 3] (3, 2, 1) range(2, 7, 2)\n");
    test_assert_fails_with("l = [1]\nl[1:2:2] = [1, 2]\n",
                           "ValueError: attempt to assign sequence of size 2 to "
                           "extended slice of size 0");
}
END_TEST

START_TEST(test_repeat_checks_heap) {
    test_assert_fails_with("x = [0] * (10 ** 12)\n", "MemoryError");
}
END_TEST

Suite *list_suite(void) {
    Suite *s = suite_create("list");
    struct { const char *name; const TTest *test; } cases[] = {
        {"vm_list_append", test_append_insert_remove},
        {"vm_tuple_from", test_tuple_from},
        {"vm_list_sort", test_sort_is_stable},
        {"vm_list_sort_errors", test_sort_errors_propagate},
        {"sorted_key", test_stable_sort_with_key_from_python},
        {"slices", test_slices_from_python},
        {"repeat", test_repeat_checks_heap},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
