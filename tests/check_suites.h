/*
 * tests/check_suites.h - every Check suite of the unit tests, one per module
 * (tests/check_<module>.c tests vm/<module>.c), added by tests/check_main.c.
 */
#ifndef GILT_TESTS_CHECK_SUITES_H
#define GILT_TESTS_CHECK_SUITES_H

#include <check.h>

Suite *memory_suite(void);
Suite *lexer_suite(void);
Suite *parser_suite(void);
Suite *compiler_suite(void);
Suite *str_suite(void);
Suite *list_suite(void);
Suite *dict_suite(void);
Suite *format_suite(void);
Suite *builtins_suite(void);
Suite *ops_suite(void);
Suite *interp_suite(void);
Suite *gc_suite(void);
Suite *clock_suite(void);
Suite *thread_suite(void);
Suite *hist_suite(void);
Suite *record_suite(void);
Suite *sim_suite(void);
Suite *costs_suite(void);
Suite *platform_suite(void);
Suite *gil_suite(void);

#endif /* GILT_TESTS_CHECK_SUITES_H */
