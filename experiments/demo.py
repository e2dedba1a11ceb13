# experiments/demo.py - the quick-start demo: what a GIL does, measured.
#
#   1. Beazley's countdown: the same work done sequentially and split over
#      two threads.  Under a GIL the threads are no faster (run it again
#      with --gil none to see them run in parallel).
#   2. The convoy effect of bpo-7946: an echo thread on a socket next to a
#      CPU-bound thread; each round trip waits about one switch interval
#      (5 ms by default; try --switch-interval 0.001).
#
# Run: build/gilt run [--gil cpython|legacy|none] experiments/demo.py [N]
#      add --stats s.csv --hist h.csv --trace t.json to record the run
#      (the trace opens in https://ui.perfetto.dev).
import socket
import sys
import threading
import time

import gilt


def countdown(n):
    while n > 0:
        n -= 1


def timed(label, fn):
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    print(f"  {label:<28} {elapsed * 1000:8.1f} ms")
    return elapsed


def split(n, k):
    threads = [threading.Thread(target=countdown, args=(n // k,)) for _ in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def convoy(rounds):
    a, b = socket.socketpair()
    stop = False

    def echo():
        while True:
            data = b.recv(64)
            if not data:
                break
            b.sendall(data)

    def cpu():
        while not stop:
            pass

    rtt = gilt.Histogram("echo_rtt")
    threads = [threading.Thread(target=echo, name="echo"),
               threading.Thread(target=cpu, name="cpu")]
    for t in threads:
        t.start()
    for _ in range(rounds):
        t0 = time.perf_counter()
        a.sendall("ping")
        a.recv(64)
        rtt.record(time.perf_counter() - t0)
    stop = True
    a.close()
    for t in threads:
        t.join()
    return rtt


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    interval = sys.getswitchinterval()
    print(f"gilt demo (switch interval {interval * 1000:g} ms)")
    print(f"1. countdown of {n:,}")
    seq = timed("sequential", lambda: countdown(n))
    two = timed("two threads", lambda: split(n, 2))
    print(f"  two threads / sequential = {two / seq:.2f}")
    print("2. echo round trips next to a CPU-bound thread")
    rtt = convoy(50)
    p50 = rtt.percentile(50) * 1000
    print(f"  p50 {p50:.2f} ms, p90 {rtt.percentile(90) * 1000:.2f} ms"
          f" ({p50 / (interval * 1000):.1f} switch intervals)")


if __name__ == "__main__":
    main()
