/* tests/check_ops.c - placeholder */
