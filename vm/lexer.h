/* vm/lexer.h - placeholder */
