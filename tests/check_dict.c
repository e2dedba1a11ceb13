/*
 * tests/check_dict.c - the compact ordered dict (vm/object/dict.c): insertion
 * order through deletes and resizes, equal keys of different types, and
 * the string-keyed fast paths.
 */
#include <check.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/object/dict.h"
#include "vm/object/str.h"

static TestVm t;
static void setup(void) { t = test_vm_new(); }
static void teardown(void) { test_vm_free(&t); }

START_TEST(test_set_get_many) {
    ObjDict *d = vm_dict_new(t.vm);
    for (int i = 0; i < 10000; i++) ck_assert(vm_dict_set(t.th, d, VM_INT(i), VM_INT(i * 2)));
    ck_assert_int_eq(d->count, 10000);
    for (int i = 0; i < 10000; i += 7) {
        Value v;
        ck_assert_int_eq(vm_dict_get(t.th, d, VM_INT(i), &v), 1);
        ck_assert_int_eq(VM_AS_INT(v), i * 2);
    }
    Value v;
    ck_assert_int_eq(vm_dict_get(t.th, d, VM_INT(-1), &v), 0);
}
END_TEST

START_TEST(test_order_survives_deletes) {
    ObjDict *d = vm_dict_new(t.vm);
    for (int i = 0; i < 100; i++) vm_dict_set(t.th, d, VM_INT(i), VM_NONE);
    for (int i = 0; i < 100; i += 2) ck_assert_int_eq(vm_dict_delete(t.th, d, VM_INT(i), NULL), 1);
    ck_assert_int_eq(vm_dict_delete(t.th, d, VM_INT(0), NULL), 0);
    vm_dict_set(t.th, d, VM_INT(0), VM_NONE); /* goes to the end */
    for (int i = 200; i < 400; i++) vm_dict_set(t.th, d, VM_INT(i), VM_NONE); /* resize */
    int64_t pos = 0;
    Value k;
    int64_t expect = 1;
    vm_dict_next(d, &pos, &k, NULL);
    ck_assert_int_eq(VM_AS_INT(k), expect);
    while (vm_dict_next(d, &pos, &k, NULL)) {
        if (expect < 99) {
            expect += 2;
            ck_assert_int_eq(VM_AS_INT(k), expect);
        } else if (expect == 99) {
            ck_assert_int_eq(VM_AS_INT(k), 0);
            expect = 199;
        } else {
            ck_assert_int_eq(VM_AS_INT(k), ++expect);
        }
    }
    ck_assert_int_eq(d->count, 50 + 1 + 200);
}
END_TEST

START_TEST(test_numeric_keys_equal) {
    ObjDict *d = vm_dict_new(t.vm);
    vm_dict_set(t.th, d, VM_INT(1), VM_INT(10));
    vm_dict_set(t.th, d, VM_FLOAT(1.0), VM_INT(20));
    vm_dict_set(t.th, d, VM_TRUE, VM_INT(30));
    ck_assert_int_eq(d->count, 1);
    Value v;
    ck_assert_int_eq(vm_dict_get(t.th, d, VM_INT(1), &v), 1);
    ck_assert_int_eq(VM_AS_INT(v), 30);
}
END_TEST

START_TEST(test_string_fast_paths) {
    ObjDict *d = vm_dict_new(t.vm);
    ObjStr *k = vm_str_intern_cstr(t.vm, "key");
    vm_dict_set_str(t.vm, d, k, VM_INT(5));
    Value v;
    ck_assert(vm_dict_get_str(d, vm_str_from_cstr(t.vm, "key"), &v));
    ck_assert_int_eq(VM_AS_INT(v), 5);
    ck_assert_int_eq(vm_dict_get(t.th, d, VM_OBJ(vm_str_from_cstr(t.vm, "key")), &v), 1);
    ck_assert_ptr_eq(vm_dict_find_string(d, "key", 3, vm_str_hash(k)), k);
    ck_assert(vm_dict_delete_str(d, k));
    ck_assert(!vm_dict_get_str(d, k, &v));
}
END_TEST

START_TEST(test_unhashable_key_raises) {
    ObjDict *d = vm_dict_new(t.vm);
    Value l = VM_OBJ(vm_dict_new(t.vm));
    ck_assert(!vm_dict_set(t.th, d, l, VM_NONE));
    ck_assert(vm_exception_matches(t.th, t.vm->cls.TypeError));
}
END_TEST

START_TEST(test_dict_methods_from_python) {
    ck_assert_prints("d = {'b': 1, 'a': 2}\nd.update(c=3)\nprint(d, d.pop('b'), list(d.items()), d.get('x', 0))\n",
                     "{'a': 2, 'c': 3} 1 [('a', 2), ('c', 3)] 0\n");
    test_assert_fails_with("{}['k']\n", "KeyError: 'k'");
}
END_TEST

Suite *dict_suite(void) {
    Suite *s = suite_create("dict");
    struct { const char *name; const TTest *test; } cases[] = {
        {"vm_dict_set", test_set_get_many},
        {"vm_dict_delete", test_order_survives_deletes},
        {"vm_dict_get", test_numeric_keys_equal},
        {"vm_dict_get_str", test_string_fast_paths},
        {"unhashable", test_unhashable_key_raises},
        {"methods", test_dict_methods_from_python},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
