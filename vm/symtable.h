/* vm/symtable.h - placeholder */
