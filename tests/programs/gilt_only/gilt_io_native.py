import gilt, threading, time
t0 = time.monotonic()
gilt.io(0.02)
print('io ok', time.monotonic() - t0 >= 0.019)
t0 = time.monotonic()
gilt.native(0.02)
print('native ok', time.monotonic() - t0 >= 0.019)
h = gilt.Histogram('x')
for v in [0.001, 0.002, 0.003]:
    h.record(v)
print(h.name, h.count(), round(h.percentile(50), 4))
gilt.mark('a mark is harmless without --trace')
try:
    gilt.io(-1)
except ValueError as e:
    print(e)
