import threading, time
def forever():
    while True:
        time.sleep(0.01)
d = threading.Thread(target=forever, daemon=True)
d.start()
print(d.daemon, d.is_alive())
print('main exits without waiting for the daemon')
