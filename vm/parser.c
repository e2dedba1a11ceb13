/* vm/parser.c - placeholder, being written. */
