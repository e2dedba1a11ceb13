s = """first
second	indented
third"""
print(s)
print(len(s.splitlines()))
t = '''single 'quotes' inside'''
print(t)
