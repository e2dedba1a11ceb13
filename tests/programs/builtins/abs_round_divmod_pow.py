print(abs(-5), abs(2.5), abs(-0.0), round(2.675, 2), round(3.14159, 3), round(1234, -2), round(0.5), round(1.5), round(-1.5))
print(divmod(17, 5), divmod(-17, 5), divmod(7.5, 2), pow(2, 10), pow(2, 10, 1000), pow(2.0, -1), pow(-8, 2))
