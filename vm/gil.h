/* vm/gil.h - placeholder */
