import threading, time
fired = []
t1 = threading.Timer(0.02, lambda: fired.append('one'))
t2 = threading.Timer(0.02, lambda: fired.append('two'))
t1.start(); t2.start()
t2.cancel()
t1.join(); t2.join()
print(fired)
