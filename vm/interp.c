/* vm/interp.c - placeholder, being written. */
