/* vm/mod_gilt.c - placeholder, being written. */
