# tests/fidelity/convoy.py - the convoy effect of bpo-7946, r4victor style.
#
# An echo server thread (recv, then send: two GIL releases on the request
# path) answers a closed-loop client next to K CPU-bound threads.  Prints
# requests per second, the median round trip, and how much work the CPU
# threads did per second.
#
#   gilt run --sim [options] convoy.py K SECONDS [GAP]
#
# GAP (seconds, default 0) is the client's pause between requests: 0 is a
# closed loop; a few milliseconds is ccbench's style of pinging.
import socket
import sys
import threading
import time

k = int(sys.argv[1]) if len(sys.argv) > 1 else 1
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
gap = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0

a, b = socket.socketpair()
stop = [False]
work = [0] * k


def echo():
    while True:
        data = b.recv(64)
        if not data or data == "quit":
            break
        b.send(data)


def spin(i):
    n = 0
    while not stop[0]:
        n += 1
    work[i] = n


server = threading.Thread(target=echo)
server.start()
cpus = [threading.Thread(target=spin, args=(i,)) for i in range(k)]
for t in cpus:
    t.start()
time.sleep(0.01)  # let the CPU threads get going
trips = []
t0 = time.monotonic()
while time.monotonic() - t0 < seconds:
    s = time.monotonic()
    a.send("ping")
    a.recv(64)
    trips.append(time.monotonic() - s)
    if gap:
        time.sleep(gap)
elapsed = time.monotonic() - t0
stop[0] = True
a.send("quit")
server.join()
for t in cpus:
    t.join()
trips.sort()
print("requests", len(trips))
print("rps", round(len(trips) / elapsed, 1))
print("p50_ms", round(trips[len(trips) // 2] * 1000, 3))
print("cpu_work_per_s", int(sum(work) / (elapsed + 0.01)))
