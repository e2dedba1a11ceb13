import threading
b = threading.Barrier(3)
order = []
lock = threading.Lock()
def party(i):
    with lock:
        order.append(('before', i))
    b.wait()
    with lock:
        order.append(('after', i))
ts = [threading.Thread(target=party, args=(i,)) for i in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
befores = [k for k, _ in order[:3]]
print(befores, len(order), b.parties, b.broken)
