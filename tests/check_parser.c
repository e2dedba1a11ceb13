/* tests/check_parser.c - placeholder, being written. */
