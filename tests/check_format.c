/*
 * tests/check_format.c - text formatting (vm/object/format.c): shortest float
 * repr, the format-spec mini-language, % and str.format.
 */
#include <check.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/object/format.h"

static const char *frepr(double d) {
    static char buf[64];
    vm_format_float_repr(d, buf, sizeof buf);
    return buf;
}

START_TEST(test_float_repr) {
    ck_assert_str_eq(frepr(0.1), "0.1");
    ck_assert_str_eq(frepr(1.0 / 3), "0.3333333333333333");
    ck_assert_str_eq(frepr(1e16), "1e+16");
    ck_assert_str_eq(frepr(1e15), "1000000000000000.0");
    ck_assert_str_eq(frepr(1e-5), "1e-05");
    ck_assert_str_eq(frepr(0.0001), "0.0001");
    ck_assert_str_eq(frepr(123456789.0), "123456789.0");
    ck_assert_str_eq(frepr(2.5e-310), "2.5e-310");
    ck_assert_str_eq(frepr(-0.0), "-0.0");
    ck_assert_str_eq(frepr(0.1 + 0.2), "0.30000000000000004");
    ck_assert_str_eq(frepr(1.0 / 0.0), "inf");
}
END_TEST

START_TEST(test_format_spec) {
    ck_assert_prints("print(format(3.14159, '.2f'), format(42, '>6'), format(42, '<6') + '|', "
                     "format(42, '^6') + '|', format(-42, '06d'), format(255, '#x'), "
                     "format(1234567, ','), format(0.5, '.0%'), format('ab', '*^6'), "
                     "format(12.5, 'e'), format(1e20, 'g'), format(True, 'd'))\n",
                     "3.14 " "    42 42    | " "  42  | -00042 0xff 1,234,567 50% **ab** "
                     "1.250000e+01 1e+20 1\n");
}
END_TEST

START_TEST(test_percent) {
    ck_assert_prints("print('%5.1f|%-3d|%s|%r|%03i|%x|%%' % (2.25, 7, None, 'a', 5, 255))\n",
                     "  2.2|7  |None|'a'|005|ff|%\n");
    test_assert_fails_with("'%d %d' % (1,)\n",
                           "TypeError: not enough arguments for format string");
    test_assert_fails_with("'%d' % (1, 2)\n",
                           "TypeError: not all arguments converted during string "
                           "formatting");
}
END_TEST

START_TEST(test_str_format_and_fstring) {
    ck_assert_prints("x = 7\nprint('{} {:>4} {k}'.format(1, 'ab', k=x), f'{x:03d}', f'{x!r:>3}', f'{x=}')\n",
                     "1   ab 7 007   7 x=7\n");
    test_assert_fails_with("'{} {0}'.format(1, 2)\n",
                           "ValueError: cannot switch from automatic field "
                           "numbering to manual field specification");
}
END_TEST

Suite *format_suite(void) {
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("vm_format_float_repr");
    tcase_add_test(tc, test_float_repr);
    suite_add_tcase(s, tc);
    tc = tcase_create("vm_format_value");
    tcase_add_test(tc, test_format_spec);
    suite_add_tcase(s, tc);
    tc = tcase_create("vm_format_percent");
    tcase_add_test(tc, test_percent);
    suite_add_tcase(s, tc);
    tc = tcase_create("vm_format_str_format");
    tcase_add_test(tc, test_str_format_and_fstring);
    suite_add_tcase(s, tc);
    return s;
}
