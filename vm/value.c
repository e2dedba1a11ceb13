/* vm/value.c - placeholder, being written. */
