/* vm/call.c - placeholder, being written. */
