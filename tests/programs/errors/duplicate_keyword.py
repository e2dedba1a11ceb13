def kwd(a, b): pass
kwd(**{"a": 1}, a=2)
