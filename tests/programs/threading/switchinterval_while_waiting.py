# sys.setswitchinterval from one thread while two others contend for the
# lock, whose waiters read the interval: the interval is one atomic figure
# (ThreadSanitizer in CI checks that this program has no data race).
import sys
import threading

stop = False
totals = {}


def spin(name):
    # Bounded, so that a policy that never lets the tuner in (legacy on one
    # core: the releaser always wins) still ends.
    n = 0
    while not stop and n < 300000:
        n += 1
    totals[name] = n


def tune():
    global stop
    for i in range(200):
        sys.setswitchinterval(0.0001 * (1 + i % 5))
    stop = True


workers = [threading.Thread(target=spin, args=(c,)) for c in "ab"]
for t in workers:
    t.start()
tuner = threading.Thread(target=tune)
tuner.start()
tuner.join()
for t in workers:
    t.join()
print(sorted(totals), sys.getswitchinterval() > 0)
