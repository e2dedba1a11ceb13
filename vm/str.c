/* vm/str.c - placeholder, being written. */
