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
#
# Real-mode figures depend on what else the machine runs: the demo says
# how loaded it was, shows how many round trips waited 0, 1, 2, ... switch
# intervals (a median alone hides that mixture), and says so when the
# machine could not show the effect.  Run it with --sim beside it for the
# model's answer, which does not depend on the machine's load.
import os
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
    samples = []
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
        took = time.perf_counter() - t0
        rtt.record(took)
        samples.append(took)
    stop = True
    a.close()
    for t in threads:
        t.join()
    return rtt, samples


def waits_histogram(samples, interval):
    """How many round trips waited 0, 1, 2 and 3 or more switch intervals
    (a round trip that waited k intervals took about k intervals)."""
    counts = [0, 0, 0, 0]
    for s in samples:
        k = int(s / interval + 0.5)
        counts[min(k, 3)] += 1
    return counts


def machine():
    p = gilt.platform()
    if p["mode"] == "sim":
        return p, f"virtual time on {p['cores']} simulated cores (nothing else runs there)"
    load = os.getloadavg()[0]
    return p, f"real time on {p['cores']} cores, load average {load:.2f} over the last minute"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    interval = sys.getswitchinterval()
    platform, where = machine()
    print(f"gilt demo (switch interval {interval * 1000:g} ms; {where})")
    print(f"1. countdown of {n:,}")
    seq = timed("sequential", lambda: countdown(n))
    two = timed("two threads", lambda: split(n, 2))
    print(f"  two threads / sequential = {two / seq:.2f}")
    if two / seq < 0.9 and platform["mode"] == "real":
        print("  (below 1: the machine was busier during the sequential run than"
              " during the threaded one, or the lock is off - rerun, or try --sim)")
    print("2. echo round trips next to a CPU-bound thread (for 1 s)")
    rtt, samples = convoy(1.0)
    ms = [rtt.percentile(p) * 1000 for p in (50, 90, 99)]
    print(f"  {rtt.count()} round trips: p50 {ms[0]:.3f} ms, p90 {ms[1]:.3f} ms,"
          f" p99 {ms[2]:.3f} ms, max {rtt.max() * 1000:.3f} ms")
    counts = waits_histogram(samples, interval)
    total = max(1, len(samples))
    shares = ", ".join(f"{label}: {100 * c / total:.0f}%"
                       for label, c in zip(("0", "1", "2", "3+"), counts))
    print(f"  switch intervals waited per round trip - {shares}")
    print("  (without the CPU thread a round trip takes about 0.02 ms and waits none)")
    waited = total - counts[0]
    if waited * 2 < total:
        print("  Most round trips did not wait for the lock: the CPU-bound thread was"
              " mostly off its core, which happens when the machine is busy or its"
              " virtual CPUs are descheduled - the convoy needs the CPU thread"
              " running. Try again on an idle machine, or with --sim.")
    else:
        print(f"  {100 * waited / total:.0f}% of round trips waited at least one switch"
              " interval for the lock held by the CPU-bound thread: the convoy effect.")
    if platform["mode"] == "sim":
        print(f"  the model: {platform['os_model']} (costs: {platform['costs']})")


if __name__ == "__main__":
    main()
