/* tests/check_main.c - placeholder, being written. */
