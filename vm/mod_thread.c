/* vm/mod_thread.c - placeholder, being written. */
