/* vm/builtins.c - placeholder, being written. */
