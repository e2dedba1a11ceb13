/* vm/record.h - placeholder, being written. */
