import queue, threading
q = queue.Queue()
out = []
def worker():
    while True:
        item = q.get()
        if item is None:
            q.task_done()
            break
        out.append(item * item)
        q.task_done()
ws = [threading.Thread(target=worker) for _ in range(2)]
for w in ws:
    w.start()
for i in range(10):
    q.put(i)
for _ in ws:
    q.put(None)
q.join()
for w in ws:
    w.join()
print(sorted(out))
try:
    q.task_done()
except ValueError as e:
    print(e)
