# experiments/countdown.py - Beazley's countdown split over K threads (K = 0:
# sequential), for gilt in real mode and in --sim.  Prints the run time.
#
#   countdown.py N K
import sys
import threading
import time

n = int(sys.argv[1])
k = int(sys.argv[2])


def countdown(m):
    while m > 0:
        m -= 1


t0 = time.monotonic()
if k == 0:
    countdown(n)
else:
    threads = [threading.Thread(target=countdown, args=(n // k,)) for _ in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print("run_s", round(time.monotonic() - t0, 6))
