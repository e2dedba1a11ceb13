print(repr(1), repr('a\n'), repr([1, 'b']), repr(None), ascii('héllo'), hash(1) == hash(1.0), hash('a') == hash('a'))
