/* vm/gc.h - placeholder */
