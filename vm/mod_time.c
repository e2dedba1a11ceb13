/* vm/mod_time.c - placeholder, being written. */
