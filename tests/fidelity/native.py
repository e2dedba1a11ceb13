# tests/fidelity/native.py - a long C call that keeps the GIL.
#
# One thread calls gilt.native(SECONDS) (a computation the eval loop cannot
# preempt); another thread counts and notes the longest gap between its
# iterations.  Prints that gap: the whole call, whatever the interval.
#
#   gilt run --sim [options] native.py SECONDS
import sys
import threading
import time

import gilt

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
stop = [False]
longest = [0.0]


def ticker():
    last = time.monotonic()
    while not stop[0]:
        now = time.monotonic()
        if now - last > longest[0]:
            longest[0] = now - last
        last = now


t = threading.Thread(target=ticker)
t.start()
time.sleep(0.02)
gilt.native(seconds)
time.sleep(0.02)
stop[0] = True
t.join()
print("longest_gap_s", round(longest[0], 4))
