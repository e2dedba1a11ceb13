/* vm/object.c - placeholder, being written. */
