import threading
out = {}
def work(a, b=0, *, c=0):
    out[threading.current_thread().name] = (a, b, c, threading.get_ident() != threading.main_thread().ident)
t = threading.Thread(target=work, args=(1,), kwargs={'b': 2, 'c': 3}, name='T')
t.start(); t.join()
print(out, threading.active_count(), len(threading.enumerate()))
