import queue, threading
q = queue.Queue()
for i in range(3):
    q.put(i)
print(q.qsize(), q.empty(), q.get(), q.get_nowait())
q.get()
try:
    q.get_nowait()
except queue.Empty:
    print('Empty')
try:
    q.get(timeout=0.01)
except queue.Empty:
    print('Empty after timeout')
bq = queue.Queue(maxsize=1)
bq.put('x')
print(bq.full())
try:
    bq.put('y', block=False)
except queue.Full:
    print('Full')
lq = queue.LifoQueue()
pq = queue.PriorityQueue()
for v in [3, 1, 2]:
    lq.put(v)
    pq.put(v)
print([lq.get() for _ in range(3)], [pq.get() for _ in range(3)])
