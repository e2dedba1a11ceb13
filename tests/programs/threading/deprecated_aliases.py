# The camelCase aliases still work and print CPython's DeprecationWarning
# once per call site (the "default" filter for __main__).
import sys
import threading


class Collect:
    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)
        return len(s)

    def flush(self):
        pass


saved = sys.stderr
sys.stderr = Collect()
t = threading.Thread(target=lambda: None)
t.setDaemon(True)
t.setName("worker")
print(t.getName(), t.isDaemon(), t.name, t.daemon)
print(threading.currentThread() is threading.current_thread())
print(threading.activeCount() == threading.active_count())
c = threading.Condition()
with c:
    c.notifyAll()
for i in range(3):
    t.getName()
captured = sys.stderr.parts
sys.stderr = saved
# CPython names the script by its absolute path: keep the base name only.
for line in "".join(captured).splitlines():
    print(line.split("/")[-1])
