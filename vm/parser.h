/* vm/parser.h - placeholder */
