class Thing:
    pass
print(Thing, int, str, repr(Thing).startswith("<class '__main__."))
print(repr(Thing()).startswith('<__main__.Thing object at 0x'))
