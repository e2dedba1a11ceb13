/*
 * tests/check_str.c - string objects (vm/object/str.c): UTF-8 bookkeeping,
 * interning, hashing, repr, slicing and the StrBuf builder.
 */
#include <check.h>
#include <string.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/object/str.h"

static TestVm t;
static void setup(void) { t = test_vm_new(); }
static void teardown(void) { test_vm_free(&t); }

START_TEST(test_copy_counts_chars) {
    ObjStr *a = vm_str_from_cstr(t.vm, "abc");
    ck_assert_int_eq(a->length, 3);
    ck_assert_int_eq(a->nchars, 3);
    ck_assert(a->ascii);
    ObjStr *u = vm_str_from_cstr(t.vm, "h\xc3\xa9llo \xe2\x9c\x93");
    ck_assert_int_eq(u->nchars, 7);
    ck_assert(!u->ascii);
    ck_assert_int_eq(vm_str_byte_offset(u, 2), 3);
    ck_assert_str_eq(vm_str_char_at(t.vm, u, 6)->chars, "\xe2\x9c\x93");
}
END_TEST

START_TEST(test_intern_is_unique) {
    ObjStr *a = vm_str_intern_cstr(t.vm, "name");
    ObjStr *b = vm_str_intern(t.vm, "name!", 4);
    ck_assert_ptr_eq(a, b);
    ck_assert(a->interned);
    ObjStr *c = vm_str_from_cstr(t.vm, "name");
    ck_assert_ptr_ne(a, c);
    ck_assert(vm_str_equal(a, c));
    ck_assert_uint_eq(vm_str_hash(a), vm_str_hash(c));
}
END_TEST

START_TEST(test_compare_and_concat) {
    ObjStr *a = vm_str_from_cstr(t.vm, "abc"), *b = vm_str_from_cstr(t.vm, "abd");
    ck_assert_int_lt(vm_str_compare(a, b), 0);
    ck_assert_int_gt(vm_str_compare(b, a), 0);
    ck_assert_int_lt(vm_str_compare(vm_str_from_cstr(t.vm, "ab"), a), 0);
    ObjStr *c = vm_str_concat(t.vm, a, vm_str_from_cstr(t.vm, "\xc3\xa9"));
    ck_assert_str_eq(c->chars, "abc\xc3\xa9");
    ck_assert_int_eq(c->nchars, 4);
}
END_TEST

START_TEST(test_repr_quotes_and_escapes) {
    ck_assert_str_eq(vm_str_repr(t.vm, vm_str_from_cstr(t.vm, "it's"))->chars, "\"it's\"");
    ck_assert_str_eq(vm_str_repr(t.vm, vm_str_from_cstr(t.vm, "a\"b'c"))->chars, "'a\"b\\'c'");
    ck_assert_str_eq(vm_str_repr(t.vm, vm_str_from_cstr(t.vm, "tab\there\n"))->chars, "'tab\\there\\n'");
    ck_assert_str_eq(vm_str_repr(t.vm, vm_str_copy(t.vm, "\x01\x7f", 2))->chars, "'\\x01\\x7f'");
    ck_assert_str_eq(vm_str_repr(t.vm, vm_str_from_cstr(t.vm, "\xc3\xa9"))->chars, "'\xc3\xa9'");
}
END_TEST

START_TEST(test_slice_steps) {
    ObjStr *s = vm_str_from_cstr(t.vm, "a\xc3\xa9" "cdef");
    ck_assert_str_eq(vm_str_slice(t.vm, s, 1, 4, 1, 3)->chars, "\xc3\xa9" "cd");
    ck_assert_str_eq(vm_str_slice(t.vm, s, 5, -1, -2, 3)->chars, "fd\xc3\xa9");
    ck_assert_str_eq(vm_str_slice(t.vm, s, 3, 3, 1, 0)->chars, "");
}
END_TEST

START_TEST(test_strbuf_grows) {
    StrBuf b;
    vm_strbuf_init(&b);
    for (int i = 0; i < 1000; i++) vm_strbuf_printf(&b, "%d,", i % 10);
    vm_strbuf_append_cstr(&b, "end");
    ObjStr *s = vm_strbuf_finish(t.vm, &b);
    ck_assert_int_eq(s->length, 2003);
    ck_assert(strncmp(s->chars, "0,1,2,", 6) == 0);
    ck_assert_ptr_null(b.chars);
}
END_TEST

START_TEST(test_utf8_roundtrip) {
    uint32_t cps[] = {0x41, 0xE9, 0x263A, 0x1F600};
    for (size_t i = 0; i < 4; i++) {
        char buf[4];
        int n = vm_utf8_encode(cps[i], buf);
        uint32_t back;
        ck_assert_int_eq(vm_utf8_decode(buf, &back), n);
        ck_assert_uint_eq(back, cps[i]);
        ck_assert_int_eq(vm_utf8_seq_len((unsigned char)buf[0]), n);
    }
}
END_TEST

START_TEST(test_str_methods_from_python) {
    ck_assert_prints("print('a,b'.split(','), ' x '.strip(), 'ab'.upper(), '-'.join('abc'))\n",
                     "['a', 'b'] x AB a-b-c\n");
}
END_TEST

Suite *str_suite(void) {
    Suite *s = suite_create("str");
    struct { const char *name; const TTest *test; } cases[] = {
        {"vm_str_copy", test_copy_counts_chars},
        {"vm_str_intern", test_intern_is_unique},
        {"vm_str_compare", test_compare_and_concat},
        {"vm_str_repr", test_repr_quotes_and_escapes},
        {"vm_str_slice", test_slice_steps},
        {"StrBuf", test_strbuf_grows},
        {"utf8", test_utf8_roundtrip},
        {"methods", test_str_methods_from_python},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
