def inner():
    raise ValueError('something went wrong')
def outer():
    inner()
print('before')
outer()
print('never')
