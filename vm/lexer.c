/* vm/lexer.c - placeholder, being written. */
