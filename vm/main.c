/* vm/main.c - placeholder, being written. */
