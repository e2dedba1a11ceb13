import threading
data = threading.local()
results = {}
def work(name):
    data.value = name
    for _ in range(100):
        pass
    results[name] = data.value
ts = [threading.Thread(target=work, args=(n,)) for n in 'abc']
for t in ts:
    t.start()
for t in ts:
    t.join()
print(sorted(results.items()))
data.value = 'main'
print(data.value)
try:
    threading.local().missing
except AttributeError:
    print('AttributeError')
