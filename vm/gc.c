/* vm/gc.c - placeholder, being written. */
