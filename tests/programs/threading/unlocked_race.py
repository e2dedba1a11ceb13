import threading
counter = 0
def work():
    global counter
    for _ in range(50000):
        counter += 1
ts = [threading.Thread(target=work) for _ in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
# Lost updates are possible without a lock; the total can never exceed this.
print(0 < counter <= 200000)
