# A threading.local subclass runs __init__ again, with the constructor's
# arguments, in every thread that touches it.
import threading

inits = []
inits_lock = threading.Lock()


class Ctx(threading.local):
    def __init__(self, base, step=1):
        with inits_lock:
            inits.append(threading.current_thread().name)
        self.value = base
        self.step = step

    def bump(self):
        self.value += self.step
        return self.value


ctx = Ctx(10, step=5)
print(ctx.value, ctx.step)
results = {}


def work(n):
    for _ in range(n):
        ctx.bump()
    results[threading.current_thread().name] = ctx.value


threads = [threading.Thread(target=work, args=(i,), name="T%d" % i) for i in range(1, 4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results.items()))
print(ctx.value)
print(sorted(inits))

try:
    threading.local(1)
except TypeError as e:
    print("TypeError:", e)
plain = threading.local()
plain.x = 1
seen = []
th = threading.Thread(target=lambda: seen.append(hasattr(plain, "x")))
th.start()
th.join()
print(plain.x, seen)
