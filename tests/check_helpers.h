/* tests/check_helpers.h - placeholder */
