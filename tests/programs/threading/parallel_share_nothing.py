# Eight threads that share no mutable object of their own, but all use the
# built-in modules at once: each builds its own lists, dicts and strings,
# imports modules, starts and joins threads of its own, and uses its own
# Lock, Event and Queue plus the shared threading.local.  Under --gil none
# they run truly in parallel: the built-in modules must be race-free (the
# ThreadSanitizer job of .ci/run runs this program).  Only `results` is
# shared and changed, and only under `results_lock`; `shared_keys` is read
# by all (strings are immutable, but the VM caches a str's hash on first use).
import threading

WORKERS = 8
ROUNDS = 3

local = threading.local()
go = threading.Event()
results_lock = threading.Lock()
results = {}
shared_keys = ["key" + str(i) for i in range(3000)]


class Point:
    # One class, instances of it in every thread.
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm1(self):
        return abs(self.x) + abs(self.y)


def build(n):
    # Lists, dicts and strings of this thread only.
    words = ["w%d_%d" % (n, i) for i in range(40)]
    fixed = {"alpha": 1, "beta": 2, "gamma": 3}
    fixed["delta"] = fixed["alpha"] + fixed.get("beta", 0)
    try:
        fixed["missing"]
    except KeyError as e:
        fixed["error"] = str(e)
    mine = {}
    for k in shared_keys:
        mine[k] = n
    fixed["shared"] = len(mine)
    points = sorted([Point(i - n, n) for i in range(10)], key=lambda p: p.norm1())
    gen = sum(p.x for p in points if p.y >= 0)
    words.append("%s-%d" % ("".join(k[0] for k in sorted(fixed)), gen))
    table = {}
    for i, w in enumerate(words):
        table[w] = i * n
        table[i] = w.upper()
    for i in range(0, 40, 3):
        del table[i]
    text = "-".join(words[:5]) + " " + str(len(table))
    parts = text.split("-")
    squares = sorted([i * i % 17 for i in range(30)], reverse=True)
    name = "worker" + str(n)
    attr = {}
    attr[name] = name.replace("worker", "w").strip()
    return len(parts), sum(squares), len(table), attr[name], "%s:%d" % (name, n), words[-1]


def produce(q, n, k, done):
    for i in range(k):
        q.put(n * 100 + i)
    done.set()


def worker(n):
    import queue
    import math
    import random
    go.wait()
    odd = 0
    for k in shared_keys:  # all threads at once, allocating nothing
        odd += hash(k) & 1
    local.n = n
    total = 0
    for r in range(ROUNDS):
        q = queue.Queue()
        lock = threading.Lock()
        events = [threading.Event() for _ in range(2)]
        helpers = [threading.Thread(target=produce, args=(q, n, 5, events[i]))
                   for i in range(2)]
        for h in helpers:
            h.start()
        for e in events:
            e.wait()
        for h in helpers:
            h.join()
        got = []
        while not q.empty():
            with lock:
                got.append(q.get())
        total += sum(got) + int(math.sqrt(16))
        roll = random.randint(1, 6)
        if not 1 <= roll <= 6:
            raise AssertionError("random.randint out of range")
        shape = build(n)
        if local.n != n:
            raise AssertionError("threading.local leaked between threads")
    with results_lock:
        results[n] = (total, shape, threading.current_thread().name.startswith("Thread-"),
                      odd <= len(shared_keys))


threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
for t in threads:
    t.start()
go.set()
for t in threads:
    t.join()
for n in sorted(results):
    print(n, results[n])
print(threading.active_count(), len(threading.enumerate()))
