import threading
r = threading.RLock()
def nested(n):
    with r:
        if n:
            return nested(n - 1) + 1
        return 0
print(nested(5))
with r:
    with r:
        print('held twice')
try:
    r.release()
except RuntimeError as e:
    print(e)
