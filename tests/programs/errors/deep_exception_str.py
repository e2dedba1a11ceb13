# An uncaught exception whose str() fails (here: too deep) still gets its
# traceback, with CPython's placeholder for the message.
x = Exception("innermost")
for i in range(100000):
    x = Exception(x)
raise x
