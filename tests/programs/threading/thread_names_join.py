import threading, time
def nap():
    time.sleep(0.2)
t = threading.Thread(target=nap, name='sleeper')
print(t.name, t.is_alive())
t.start()
t.join(0.01)
print(t.is_alive())
t.join()
print(t.is_alive(), threading.current_thread().name, threading.main_thread().name)
try:
    t.start()
except RuntimeError as e:
    print(e)
try:
    threading.current_thread().join()
except RuntimeError as e:
    print(e)
