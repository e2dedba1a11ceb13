/* vm/dict.c - placeholder, being written. */
