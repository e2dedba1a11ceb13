/* vm/class.c - placeholder, being written. */
