import time
t0 = time.monotonic()
p0 = time.perf_counter()
time.sleep(0.02)
print(time.monotonic() - t0 >= 0.019, time.perf_counter() >= p0, time.time() > 1600000000)
print(isinstance(time.time(), float), isinstance(time.monotonic_ns(), int))
