print(1 + 2.0, 3 * 1.5, 10 / 4, 10 // 4.0, 2 ** 3.0, abs(-2.5), int(3.9), int(-3.9), float(7), round(2.5), round(3.5), round(-2.5))
