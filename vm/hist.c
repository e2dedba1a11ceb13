/* vm/hist.c - placeholder, being written. */
