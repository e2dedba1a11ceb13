# tests/record/threads.py - threads in every state a recording names, for
# tests/record.sh: each line marked with BLOCK and a span name must show in the
# trace as a span of that name at that line.  The first phase has no
# CPU-bound thread, so each wait is sure to happen in real time too; the
# second has two, so the lock is handed off and asked for.
import queue
import socket
import threading
import time

import gilt

lock = threading.Lock()
cond = threading.Condition()
q = queue.Queue()
a, b = socket.socketpair()
flags = []


def spin(n):
    while n > 0:
        n -= 1


def sleeper():
    for _ in range(3):
        time.sleep(0.002)  # BLOCK blocked on sleep
        spin(1000)


def locker():
    flags.append("locker")
    with lock:  # BLOCK blocked on lock acquire
        spin(1000)


def waiter():
    with cond:
        flags.append("waiter")
        while "ready" not in flags:
            cond.wait()  # BLOCK blocked on Condition.wait
    item = q.get()  # BLOCK blocked on Queue.get
    b.sendall(item)  # BLOCK blocked on send


def reader():
    a.recv(64)  # BLOCK blocked on recv
    gilt.io(0.001)  # BLOCK blocked on gilt.io
    gilt.native(0.002, release_gil=True)  # BLOCK running without the GIL


lock.acquire()
ts = [threading.Thread(target=f, name=f.__name__) for f in (sleeper, locker, waiter, reader)]
for t in ts:
    t.start()
while "locker" not in flags or "waiter" not in flags:
    time.sleep(0.001)
time.sleep(0.01)
lock.release()
with cond:
    flags.append("ready")
    cond.notify()
time.sleep(0.01)
q.put("x")
for t in ts:
    t.join()  # BLOCK blocked on Thread.join

cpus = [threading.Thread(target=spin, args=(400000,), name="cpu%d" % i) for i in range(2)]
for t in cpus:
    t.start()
spin(50000)
for t in cpus:
    t.join()
# Under --gil none a joined thread may still be on its way out of the VM
# (its C code ends its last hold after its Python code set the join's
# event) while the main thread writes --stats and --trace: let it leave.
time.sleep(0.02)
print("done")
