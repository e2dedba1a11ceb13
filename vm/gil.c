/* vm/gil.c - placeholder, being written. */
