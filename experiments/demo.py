# experiments/demo.py - the quick-start demo: what a GIL does, measured.
#
#   1. Beazley's countdown: the same work done sequentially and split over
#      two threads.  Under a GIL the threads are no faster (run it again
#      with --gil none to see them run in parallel).
#   2. The convoy effect of bpo-7946: an echo thread on a socket next to a
#      CPU-bound thread; a round trip that has to wait for the GIL waits
#      about one switch interval (5 ms by default; try --switch-interval
#      0.001, or --gil iopri to let the I/O thread in first).
#
# Run: build/gilt run [--gil cpython|legacy|none] experiments/demo.py [N]
#      add --stats s.csv --hist h.csv --trace t.json to record the run
#      (the trace opens in https://ui.perfetto.dev).
#      add --sim [--cores N] [--seed S] to run it in deterministic virtual
#      time on N simulated cores: the same figures, replayable bit for bit.
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


def convoy(seconds):
    a, b = socket.socketpair()
    stop = False
    spins = [0]

    def echo():
        while True:
            data = b.recv(64)
            if not data:
                break
            b.sendall(data)

    def cpu():
        while not stop:
            spins[0] += 1

    rtt = gilt.Histogram("echo_rtt")
    threads = [threading.Thread(target=echo, name="echo"),
               threading.Thread(target=cpu, name="cpu")]
    for t in threads:
        t.start()
    while spins[0] == 0:  # measure once the CPU thread really competes
        time.sleep(0.001)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        # A ping every 2 ms, as ccbench's latency test: by the time it
        # arrives the CPU thread holds the GIL again.
        time.sleep(0.002)
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
    print("2. echo round trips next to a CPU-bound thread (for 1 s)")
    rtt = convoy(1.0)
    ms = [rtt.percentile(p) * 1000 for p in (50, 90, 99)]
    print(f"  {rtt.count()} round trips: p50 {ms[0]:.3f} ms, p90 {ms[1]:.3f} ms,"
          f" p99 {ms[2]:.3f} ms, max {rtt.max() * 1000:.3f} ms")
    print(f"  p50 = {ms[0] / (interval * 1000):.1f} switch intervals"
          " (without the CPU thread a round trip takes about 0.02 ms)")


if __name__ == "__main__":
    main()
