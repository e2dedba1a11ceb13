/* vm/exc.c - placeholder, being written. */
