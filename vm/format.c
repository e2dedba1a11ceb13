/* vm/format.c - placeholder, being written. */
