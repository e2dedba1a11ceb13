/* tests/check_gc.c - placeholder, being written. */
