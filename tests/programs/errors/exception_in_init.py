class C:
    def __init__(self):
        raise RuntimeError('init failed')
C()
