/* vm/memory.c - placeholder, being written. */
