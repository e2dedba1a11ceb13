class AppError(Exception):
    pass
try:
    try:
        int('abc')
    except ValueError as e:
        raise AppError('bad input') from e
except AppError as e:
    print('AppError:', e)
