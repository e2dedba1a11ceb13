/* vm/record.c - placeholder, being written. */
