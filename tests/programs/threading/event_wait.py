import threading, time
ev = threading.Event()
seen = []
def waiter(i):
    ev.wait()
    seen.append(i)
ts = [threading.Thread(target=waiter, args=(i,)) for i in range(3)]
for t in ts:
    t.start()
time.sleep(0.02)
print(ev.is_set(), len(seen))
ev.set()
for t in ts:
    t.join()
print(ev.is_set(), sorted(seen))
ev.clear()
print(ev.wait(0.01))
