count = 0
def inc():
    global count
    count += 1
inc(); inc()
print(count)
def outer():
    n = 0
    def bump():
        nonlocal n
        n += 10
        return n
    bump()
    return bump()
print(outer())
