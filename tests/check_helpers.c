/* tests/check_helpers.c - placeholder, being written. */
