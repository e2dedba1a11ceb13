/* vm/ops.c - placeholder, being written. */
