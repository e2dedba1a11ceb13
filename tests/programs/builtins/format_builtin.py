print(format(3.14159, '.2f'), format(42, '08b'), format('x', '>3'), format(1234.5, ','), format(7), format(0.5, '%'))
