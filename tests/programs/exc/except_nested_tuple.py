# `except` takes a class or a flat tuple of classes; a nested tuple is a
# TypeError when the clause is tested (as in CPython), never a recursion.
try:
    raise ValueError("v")
except (KeyError, ValueError):
    print("flat tuple caught")


def clause(types, exc):
    try:
        try:
            raise exc
        except types:
            print("caught", repr(exc))
    except TypeError as e:
        print("TypeError:", e)


clause((TypeError, (ValueError,)), ValueError("nested"))
clause((KeyError, 1), KeyError("k"))
clause((IndexError, KeyError), KeyError("flat"))
