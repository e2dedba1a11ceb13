/* vm/ast.h - placeholder */
