/* tests/check_dict.c - placeholder, being written. */
