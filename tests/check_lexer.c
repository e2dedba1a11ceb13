/* tests/check_lexer.c - placeholder, being written. */
