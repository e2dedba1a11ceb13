x = b'bytes'
