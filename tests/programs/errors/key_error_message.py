d = {}
d.pop('nope')
