import threading
def boom():
    raise ValueError('thread failed')
t = threading.Thread(target=boom, name='bad')
t.start()
t.join()
print('main continues', t.is_alive())
