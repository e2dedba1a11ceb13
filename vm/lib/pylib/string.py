# vm/lib/pylib/string.py - the string module, written in the subset as
# CPython writes it in Python: the character-class constants, capwords and
# Template.  CPython's Template matches its placeholders with a regular
# expression; gilt has no re module, so the scanner below walks the
# template by hand, with the same rules (delimiter, then the delimiter
# again, an identifier, or a braced identifier) and the same errors.
# Template's class attributes idpattern/pattern/flags are not supported;
# a subclass may change `delimiter` only.

whitespace = ' \t\n\r\x0b\x0c'
ascii_lowercase = 'abcdefghijklmnopqrstuvwxyz'
ascii_uppercase = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
ascii_letters = ascii_lowercase + ascii_uppercase
digits = '0123456789'
hexdigits = digits + 'abcdef' + 'ABCDEF'
octdigits = '01234567'
punctuation = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""
printable = digits + ascii_letters + punctuation + whitespace


def capwords(s, sep=None):
    return (sep or ' ').join([w.capitalize() for w in s.split(sep)])


_ID_START = '_' + ascii_letters
_ID_CHARS = _ID_START + digits


def _ident_end(s, i):
    # End of the ASCII identifier starting at s[i], or i when there is none.
    n = len(s)
    if i >= n or s[i] not in _ID_START:
        return i
    j = i + 1
    while j < n and s[j] in _ID_CHARS:
        j += 1
    return j


class Template:
    delimiter = '$'

    def __init__(self, template):
        self.template = template

    def _invalid(self, i):
        # i is the index just after the delimiter, as CPython's
        # mo.start('invalid').
        lines = self.template[:i].splitlines(True)
        if not lines:
            colno = 1
            lineno = 1
        else:
            colno = i - len(''.join(lines[:-1]))
            lineno = len(lines)
        raise ValueError('Invalid placeholder in string: line %d, col %d' %
                         (lineno, colno))

    def _scan(self, lookup, safe):
        s = self.template
        d = self.delimiter
        dl = len(d)
        out = []
        i = 0
        n = len(s)
        while True:
            j = s.find(d, i)
            if j < 0:
                out.append(s[i:])
                break
            out.append(s[i:j])
            k = j + dl
            if s.startswith(d, k):
                out.append(d)
                i = k + dl
                continue
            e = _ident_end(s, k)
            if e > k:
                out.append(lookup(s[k:e], s[j:e], safe))
                i = e
                continue
            if k < n and s[k] == '{':
                e = _ident_end(s, k + 1)
                if e > k + 1 and e < n and s[e] == '}':
                    out.append(lookup(s[k + 1:e], s[j:e + 1], safe))
                    i = e + 1
                    continue
            if not safe:
                self._invalid(k)
            out.append(d)
            i = k
        return ''.join(out)

    def _mapping(self, meth, args, kws):
        # CPython declares (self, mapping=..., /, **kws); gilt has no '/',
        # so the arity error is CPython's, raised by hand.
        if len(args) > 1:
            raise TypeError('Template.%s() takes from 1 to 2 positional '
                            'arguments but %d were given' %
                            (meth, len(args) + 1))
        if not args:
            return kws
        mapping = args[0]
        if kws:
            return _Chain(kws, mapping)
        return mapping

    def substitute(self, *args, **kws):
        mapping = self._mapping('substitute', args, kws)

        def lookup(name, text, safe):
            return str(mapping[name])
        return self._scan(lookup, False)

    def safe_substitute(self, *args, **kws):
        mapping = self._mapping('safe_substitute', args, kws)

        def lookup(name, text, safe):
            try:
                return str(mapping[name])
            except KeyError:
                return text
        return self._scan(lookup, True)

    def is_valid(self):
        try:
            self._scan(lambda name, text, safe: '', False)
        except ValueError:
            return False
        return True

    def get_identifiers(self):
        ids = []

        def lookup(name, text, safe):
            if name not in ids:
                ids.append(name)
            return ''
        self._scan(lookup, True)
        return ids


class _Chain:
    # The keyword arguments first, then the mapping (CPython's ChainMap).
    def __init__(self, first, second):
        self.first = first
        self.second = second

    def __getitem__(self, key):
        if key in self.first:
            return self.first[key]
        return self.second[key]
