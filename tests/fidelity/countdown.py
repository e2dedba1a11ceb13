# tests/fidelity/countdown.py - Beazley's countdown, sequential and split
# over K threads.  Prints both run times and their ratio.
#
#   gilt run --sim [options] countdown.py N K
import sys
import threading
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
k = int(sys.argv[2]) if len(sys.argv) > 2 else 2


def countdown(m):
    while m > 0:
        m -= 1


t0 = time.monotonic()
countdown(n)
seq = time.monotonic() - t0

threads = [threading.Thread(target=countdown, args=(n // k,)) for _ in range(k)]
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
split = time.monotonic() - t0
print("seq_s", round(seq, 6))
print("split_s", round(split, 6))
print("ratio", round(split / seq, 3))
