/* vm/ast.c - placeholder, being written. */
