# gilt's sockets carry str (gilt has no bytes type); CPython would use b'...'.
import socket, threading
a, b = socket.socketpair()
def echo():
    while True:
        data = b.recv(100)
        if not data:
            break
        b.sendall(data.upper())
t = threading.Thread(target=echo)
t.start()
for word in ['ping', 'héllo', 'done']:
    a.sendall(word)
    print(a.recv(100))
print(a.send('x'), a.recv(10))
a.close()
t.join()
b.close()
try:
    b.recv(1)
except OSError as e:
    print('OSError', e)
