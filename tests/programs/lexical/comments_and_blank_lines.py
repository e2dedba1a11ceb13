# a comment

x = 1  # trailing comment


if x:
    # indented comment
    print("x is", x)
