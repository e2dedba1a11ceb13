print(r"\n is not a newline", len(r"\t"))
print(r'C:\path\to', R"\d+")
