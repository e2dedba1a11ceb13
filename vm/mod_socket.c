/* vm/mod_socket.c - placeholder, being written. */
