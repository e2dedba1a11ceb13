import threading
class Worker(threading.Thread):
    def __init__(self, n):
        super().__init__(name='worker-%d' % n)
        self.n = n
        self.result = None
    def run(self):
        self.result = sum(range(self.n))
ws = [Worker(i * 10) for i in range(3)]
for w in ws:
    w.start()
for w in ws:
    w.join()
print([(w.name, w.result) for w in ws])
