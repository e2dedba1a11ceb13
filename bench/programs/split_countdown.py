# Countdown of N split over K threads (K = 0 means sequential, no threads),
# the CPU-scaling experiment of Beazley 2010.  Usage: split_countdown.py N K
import sys
import threading


def countdown(n):
    while n > 0:
        n -= 1


n = int(sys.argv[1])
k = int(sys.argv[2])
if k == 0:
    countdown(n)
else:
    ts = [threading.Thread(target=countdown, args=(n // k,)) for _ in range(k)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
