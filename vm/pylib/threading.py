# vm/pylib/threading.py - placeholder, being written.
