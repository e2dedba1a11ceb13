# vm/pylib/queue.py - placeholder, being written.
