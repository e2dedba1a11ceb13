assert 1 == 2, 'math is broken'
