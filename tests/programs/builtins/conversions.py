print(int(3.99), int(-2.5), int('-17'), int(True), float('2.5'), float(3), bool(0), bool('x'), bool([]), bool(None), str(3.0), list({'a': 1}), tuple([1]))
print(hex(255), oct(8), bin(5), hex(-1), chr(65), ord('a'), int('ff', 16), int('0b101', 0))
