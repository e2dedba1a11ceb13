s = "abc" 'def' "ghi"
print(s, len(s))
print("a" "b" f"{1+1}" "c")
