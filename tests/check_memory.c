/* tests/check_memory.c - placeholder, being written. */
