print("tab\there", 'quote\'s', "dq\"x", "back\\slash")
print("\x41\u00e9\U0001F600", len("\u00e9"))
print(repr("line\nbreak"), repr('\x00\x7f'))
