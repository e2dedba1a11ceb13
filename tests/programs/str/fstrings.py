name, n, pi = 'gilt', 42, 3.14159
print(f'{name} has {n} items', f'{pi:.2f}', f'{n:5d}|{n:<5}|{n:^7}|', f'{n:x} {n:o} {n:b} {n:#x}')
print(f'{name!r} {name!s} {[1, 2]}', f'{n * 2 + 1}', f'{"nested"}', f'{{braces}}')
width = 8
print(f'{pi:{width}.3f}|', f'{1234567:,}', f'{0.25:.1%}', f'{-3:+d}', f'{3:+d}')
print(f'{n=}', f'{1e-7:e}', f'{12345.678:g}')
