# experiments/demo.py - what gilt runs today: the countdown every GIL study
# starts from (Beazley 2010), timed, plus a tour of the language subset.
# The threaded versions of the countdown arrive with the lock policies.
import sys
import time


def countdown(n):
    while n > 0:
        n -= 1


class Timer:
    """A context manager that reports how long its block took."""

    def __init__(self, label):
        self.label = label

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, kind, value, tb):
        self.elapsed = time.perf_counter() - self.start
        print(f"{self.label:<28} {self.elapsed * 1000:8.1f} ms")
        return False


def primes(limit):
    sieve = [True] * limit
    for i in range(2, limit):
        if sieve[i]:
            yield i
            for j in range(i * i, limit, i):
                sieve[j] = False


def main():
    n = 10_000_000 if len(sys.argv) < 2 else int(sys.argv[1])
    print(f"gilt demo: countdown of {n:,} in one thread")
    with Timer("countdown"):
        countdown(n)
    with Timer("primes below 200000"):
        count = sum(1 for _ in primes(200_000))
    print(f"{count} primes; the last ten below 100: {list(primes(100))[-10:]}")
    words = "the quick brown fox jumps over the lazy dog the end".split()
    freq = {}
    for w in words:
        freq[w] = freq.get(w, 0) + 1
    top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    print("most frequent words:", ", ".join(f"{w}={c}" for w, c in top))
    try:
        countdown("ten")
    except TypeError as e:
        print("a TypeError, as CPython would raise it:", e)


if __name__ == "__main__":
    main()
