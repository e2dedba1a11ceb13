/* vm/vm.c - placeholder, being written. */
