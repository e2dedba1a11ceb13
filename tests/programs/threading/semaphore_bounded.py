import threading
sem = threading.Semaphore(2)
active = 0
peak = 0
guard = threading.Lock()
def work():
    global active, peak
    with sem:
        with guard:
            active += 1
            peak = max(peak, active)
        for _ in range(2000):
            pass
        with guard:
            active -= 1
ts = [threading.Thread(target=work) for _ in range(6)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(peak <= 2, active)
b = threading.BoundedSemaphore(1)
b.acquire()
b.release()
try:
    b.release()
except ValueError as e:
    print(e)
print(sem.acquire(timeout=0.01), sem.acquire(blocking=False))
