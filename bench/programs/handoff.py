# Two threads pass a token back and forth through two locks; each pass is a
# lock release, a wake-up and a GIL hand-off.  Prints the median pass time
# in nanoseconds (also valid CPython).  Usage: handoff.py ROUNDS
import sys
import threading
import time

rounds = int(sys.argv[1])
ping = threading.Lock()
pong = threading.Lock()
ping.acquire()
pong.acquire()
times = []


def other():
    for _ in range(rounds):
        ping.acquire()
        pong.release()


t = threading.Thread(target=other)
t.start()
for _ in range(rounds):
    t0 = time.perf_counter_ns()
    ping.release()
    pong.acquire()
    times.append(time.perf_counter_ns() - t0)
t.join()
times.sort()
print(times[len(times) // 2] // 2)
