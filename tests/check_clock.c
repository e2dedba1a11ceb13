/* tests/check_clock.c - placeholder, being written. */
