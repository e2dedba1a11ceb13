/* tests/check_compiler.c - placeholder, being written. */
