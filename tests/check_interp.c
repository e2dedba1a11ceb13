/* tests/check_interp.c - placeholder, being written. */
