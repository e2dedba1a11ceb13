/* vm/compiler.c - placeholder, being written. */
