/* vm/hist.h - placeholder, being written. */
