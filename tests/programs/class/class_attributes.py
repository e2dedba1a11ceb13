class Counter:
    instances = 0
    def __init__(self):
        Counter.instances += 1
        self.id = Counter.instances
a = Counter(); b = Counter()
print(Counter.instances, a.id, b.id, a.instances)
a.instances = 100
print(a.instances, Counter.instances)
