/* tests/check_builtins.c - placeholder, being written. */
