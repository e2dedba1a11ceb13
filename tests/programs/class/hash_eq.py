class Key:
    def __init__(self, k):
        self.k = k
    def __eq__(self, o):
        return self.k == o.k
    def __hash__(self):
        return hash(self.k)
d = {Key(1): 'one'}
print(d[Key(1)], Key(1) in d, len({Key(2): 1, Key(2): 2}))
class NoHash:
    def __eq__(self, o):
        return True
try:
    {NoHash(): 1}
except TypeError as e:
    print(e)
