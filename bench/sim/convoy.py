# bench/sim/convoy.py - the convoy of bpo-7946 for gilt (real and --sim)
# and for CPython, one program: an echo thread (recv, then send) answers a
# client next to K CPU-bound threads; the client pings every GAP seconds
# (0: closed loop).  Prints the round trips' p50 and p99 in ms.
#
#   convoy.py K SECONDS GAP INTERVAL
import socket
import sys
import threading
import time

try:
    import gilt  # noqa: F401  (gilt's sockets carry str)
    PING, QUIT = "ping", "quit"
except ImportError:
    PING, QUIT = "ping".encode(), "quit".encode()

k = int(sys.argv[1])
seconds = float(sys.argv[2])
gap = float(sys.argv[3])
sys.setswitchinterval(float(sys.argv[4]))

a, b = socket.socketpair()
stop = [False]


def echo():
    while True:
        data = b.recv(64)
        if not data or data == QUIT:
            break
        b.send(data)


def spin():
    while not stop[0]:
        pass


server = threading.Thread(target=echo)
server.start()
cpus = [threading.Thread(target=spin) for _ in range(k)]
for t in cpus:
    t.start()
time.sleep(0.05)
trips = []
t0 = time.monotonic()
while time.monotonic() - t0 < seconds:
    s = time.monotonic()
    a.send(PING)
    a.recv(64)
    trips.append(time.monotonic() - s)
    if gap:
        time.sleep(gap)
stop[0] = True
a.send(QUIT)
server.join()
for t in cpus:
    t.join()
trips.sort()
n = len(trips)
print("p50_ms", round(trips[n // 2] * 1000, 3))
print("p99_ms", round(trips[min(n - 1, (n * 99) // 100)] * 1000, 3))
print("requests", n)
