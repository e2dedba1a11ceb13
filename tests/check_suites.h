/* tests/check_suites.h - placeholder */
