assert 1 + 1 == 2
try:
    assert 1 > 2, 'one is not greater'
except AssertionError as e:
    print('assert failed:', e)
try:
    assert False
except AssertionError as e:
    print('bare:', repr(e))
