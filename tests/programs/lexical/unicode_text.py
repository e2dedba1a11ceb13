s = "héllo wörld ✓"
print(s, len(s), s[1], s[-1], s.upper())
print(s[::-1])
print([c for c in "añb"])
