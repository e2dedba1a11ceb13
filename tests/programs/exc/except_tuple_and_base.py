for bad in [lambda: int('x'), lambda: [].pop(), lambda: {}['a'], lambda: 1 / 0]:
    try:
        bad()
    except (ValueError, IndexError) as e:
        print('value/index:', type(e).__name__)
    except LookupError as e:
        print('lookup:', type(e).__name__)
    except Exception as e:
        print('other:', type(e).__name__)
