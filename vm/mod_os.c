/* vm/mod_os.c - placeholder, being written. */
