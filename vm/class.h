/* vm/class.h - placeholder */
