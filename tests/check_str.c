/* tests/check_str.c - placeholder, being written. */
