/* vm/gil_none.c - placeholder, being written. */
