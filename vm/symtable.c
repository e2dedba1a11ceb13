/* vm/symtable.c - placeholder, being written. */
