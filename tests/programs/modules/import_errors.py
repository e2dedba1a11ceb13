try:
    import nosuchmodule
except ImportError as e:
    print(type(e).__name__, e)
try:
    from math import nosuchname
except ImportError as e:
    print('ImportError', 'nosuchname' in str(e))
