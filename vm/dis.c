/* vm/dis.c - placeholder, being written. */
