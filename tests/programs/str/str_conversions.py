print(str(12), str(1.5), str(None), str([1, 'a']), str(True), repr('x'), int('42'), float('3.5'), int(' 7 '), int('0x1f', 16), int('111', 2), float('1e3'), float('-inf'))
