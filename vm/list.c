/* vm/list.c - placeholder, being written. */
