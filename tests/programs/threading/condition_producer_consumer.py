import threading
items = []
cond = threading.Condition()
done = []
def consumer():
    got = []
    while len(got) < 5:
        with cond:
            while not items:
                cond.wait()
            got.append(items.pop(0))
    done.append(got)
def producer():
    for i in range(5):
        with cond:
            items.append(i)
            cond.notify()
c = threading.Thread(target=consumer)
p = threading.Thread(target=producer)
c.start(); p.start()
p.join(); c.join()
print(done)
with cond:
    print(cond.wait(0.01))
    print(cond.wait_for(lambda: True))
