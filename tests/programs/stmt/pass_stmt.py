def f():
    pass
class C:
    pass
for i in range(2):
    pass
print(f(), C.__name__)
