/* tests/check_format.c - placeholder, being written. */
