# threading.excepthook can be replaced; the hook gets exc_type, exc_value,
# exc_traceback and the thread.  Plus main_thread, enumerate, native ids.
import threading

seen = []


def hook(args):
    seen.append((args.exc_type.__name__, str(args.exc_value),
                 type(args.exc_value) is args.exc_type, args.thread.name))


def boom():
    raise ValueError("bad value")


old = threading.excepthook
threading.excepthook = hook
t = threading.Thread(target=boom, name="boomer")
t.start()
t.join()
threading.excepthook = old
print(seen)
print(threading.main_thread() is threading.current_thread())
print(threading.main_thread().name)
print([x.name for x in threading.enumerate()])
print(isinstance(threading.get_native_id(), int))
print(threading.current_thread().native_id == threading.get_native_id())
print(threading.TIMEOUT_MAX > 1e6)
ids = []
w = threading.Thread(target=lambda: ids.append(threading.get_native_id()))
w.start()
w.join()
print(ids[0] != threading.get_native_id(), w.native_id == ids[0])
