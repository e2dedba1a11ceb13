/* vm/opcodes.c - placeholder, being written. */
