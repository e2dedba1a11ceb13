# experiments/convoy.py - the convoy effect of bpo-7946, r4victor style, for
# gilt (real and --sim) and for CPython: an echo server thread (recv, then
# send: two GIL releases on the request path) answers a client next to K
# CPU-bound threads.  Prints the number of requests, requests per second,
# the p50 and p99 round trip in ms, the CPU threads' loop iterations per
# second, and how many round trips took about 0, 1, 2, 3 and 4+ switch
# intervals (waits_N: how many GIL waits they contained).
#
#   convoy.py K SECONDS [GAP [INTERVAL]]
#
# GAP (seconds, default 0) is the client's pause between requests: 0 is a
# closed loop; a few milliseconds is ccbench's style of pinging.  INTERVAL
# sets sys.setswitchinterval (default: leave it).
import socket
import sys
import threading
import time

try:
    import gilt  # noqa: F401  (gilt's sockets carry str)
    PING, QUIT = "ping", "quit"
except ImportError:
    PING, QUIT = "ping".encode(), "quit".encode()

k = int(sys.argv[1]) if len(sys.argv) > 1 else 1
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
gap = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
if len(sys.argv) > 4:
    sys.setswitchinterval(float(sys.argv[4]))

a, b = socket.socketpair()
stop = [False]
work = [0] * k


def echo():
    while True:
        data = b.recv(64)
        if not data or data == QUIT:
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
    a.send(PING)
    a.recv(64)
    trips.append(time.monotonic() - s)
    if gap:
        time.sleep(gap)
elapsed = time.monotonic() - t0
stop[0] = True
a.send(QUIT)
server.join()
for t in cpus:
    t.join()
trips.sort()
n = len(trips)
print("requests", n)
print("rps", round(n / elapsed, 1))
print("p50_ms", round(trips[n // 2] * 1000, 3))
print("p99_ms", round(trips[min(n - 1, (n * 99) // 100)] * 1000, 3))
print("cpu_work_per_s", int(sum(work) / (elapsed + 0.01)))
interval = sys.getswitchinterval()
waits = [0] * 5
for t in trips:
    waits[min(4, int(t / interval + 0.5))] += 1
for i in range(5):
    print("waits_" + str(i), waits[i])
