def risky():
    raise RuntimeError('boom')
try:
    try:
        risky()
    except RuntimeError:
        print('logging and re-raising')
        raise
except RuntimeError as e:
    print('final', e)
