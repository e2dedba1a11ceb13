/*
 * tests/check_main.c - the one runner of every Check suite.
 *
 * CK_RUN_SUITE=name runs one suite, CK_FORK=no keeps tests in-process for
 * gdb (see tests/README.md).
 */
#include <stdlib.h>

#include "tests/check_suites.h"

int main(void) {
    SRunner *sr = srunner_create(memory_suite());
    srunner_add_suite(sr, lexer_suite());
    srunner_add_suite(sr, parser_suite());
    srunner_add_suite(sr, compiler_suite());
    srunner_add_suite(sr, str_suite());
    srunner_add_suite(sr, list_suite());
    srunner_add_suite(sr, dict_suite());
    srunner_add_suite(sr, format_suite());
    srunner_add_suite(sr, builtins_suite());
    srunner_add_suite(sr, ops_suite());
    srunner_add_suite(sr, interp_suite());
    srunner_add_suite(sr, gc_suite());
    srunner_add_suite(sr, clock_suite());
    srunner_add_suite(sr, thread_suite());
    srunner_add_suite(sr, hist_suite());
    srunner_add_suite(sr, record_suite());
    srunner_add_suite(sr, sim_suite());
    srunner_add_suite(sr, costs_suite());
    srunner_add_suite(sr, platform_suite());
    srunner_add_suite(sr, gil_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
