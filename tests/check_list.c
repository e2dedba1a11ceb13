/* tests/check_list.c - placeholder, being written. */
