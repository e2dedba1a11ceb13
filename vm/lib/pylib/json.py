# vm/lib/pylib/json.py - the json module (dumps/dump/loads/load,
# JSONEncoder, JSONDecoder, JSONDecodeError), written in the subset as
# CPython's pure-Python fallback (Lib/json/encoder.py, decoder.py) is.
# CPython's decoder matches tokens with regular expressions; gilt has no re
# module, so the scanner walks the text by hand and reports the errors
# (messages and positions) of CPython's C scanner (_json.c), which is the
# one CPython 3.11 actually uses.

_INF = float('inf')


class JSONDecodeError(ValueError):
    __module__ = 'json.decoder'
    def __init__(self, msg, doc, pos):
        lineno = doc.count('\n', 0, pos) + 1
        colno = pos - doc.rfind('\n', 0, pos)
        errmsg = '%s: line %d column %d (char %d)' % (msg, lineno, colno, pos)
        ValueError.__init__(self, errmsg)
        self.msg = msg
        self.doc = doc
        self.pos = pos
        self.lineno = lineno
        self.colno = colno


# ---------------------------------------------------------------- encoder

_ESC = {'\\': '\\\\', '"': '\\"', '\b': '\\b', '\f': '\\f',
        '\n': '\\n', '\r': '\\r', '\t': '\\t'}


def _hex4(n):
    return '\\u' + ('%04x' % n)


def _encode_str(s, ensure_ascii):
    out = ['"']
    for c in s:
        e = _ESC.get(c)
        if e is not None:
            out.append(e)
            continue
        n = ord(c)
        if n < 0x20:
            out.append(_hex4(n))
        elif ensure_ascii and n > 0x7e:
            if n > 0xffff:
                n -= 0x10000
                out.append(_hex4(0xd800 | ((n >> 10) & 0x3ff)))
                out.append(_hex4(0xdc00 | (n & 0x3ff)))
            else:
                out.append(_hex4(n))
        else:
            out.append(c)
    out.append('"')
    return ''.join(out)


class JSONEncoder:
    item_separator = ', '
    key_separator = ': '

    def __init__(self, *, skipkeys=False, ensure_ascii=True,
                 check_circular=True, allow_nan=True, sort_keys=False,
                 indent=None, separators=None, default=None):
        self.skipkeys = skipkeys
        self.ensure_ascii = ensure_ascii
        self.check_circular = check_circular
        self.allow_nan = allow_nan
        self.sort_keys = sort_keys
        self.indent = indent
        if separators is not None:
            self.item_separator, self.key_separator = separators
        elif indent is not None:
            self.item_separator = ','
        if default is not None:
            self.default = default

    def default(self, o):
        raise TypeError('Object of type %s is not JSON serializable' %
                        type(o).__name__)

    def encode(self, o):
        if isinstance(o, str):
            return _encode_str(o, self.ensure_ascii)
        return ''.join(self.iterencode(o))

    def iterencode(self, o, _one_shot=False):
        indent = self.indent
        if indent is not None and not isinstance(indent, str):
            indent = ' ' * indent
        out = []
        markers = {} if self.check_circular else None
        self._enc(o, out, markers, indent, 0)
        return out

    def _float(self, o):
        if o != o:
            text = 'NaN'
        elif o == _INF:
            text = 'Infinity'
        elif o == -_INF:
            text = '-Infinity'
        else:
            return repr(o)
        if not self.allow_nan:
            raise ValueError('Out of range float values are not JSON '
                             'compliant')
        return text

    def _enc(self, o, out, markers, indent, level):
        if isinstance(o, str):
            out.append(_encode_str(o, self.ensure_ascii))
        elif o is None:
            out.append('null')
        elif o is True:
            out.append('true')
        elif o is False:
            out.append('false')
        elif isinstance(o, int):
            out.append(repr(int(o)))
        elif isinstance(o, float):
            out.append(self._float(o))
        elif isinstance(o, (list, tuple)):
            self._enc_list(o, out, markers, indent, level)
        elif isinstance(o, dict):
            self._enc_dict(o, out, markers, indent, level)
        else:
            mid = self._mark(o, markers)
            self._enc(self.default(o), out, markers, indent, level)
            if markers is not None:
                del markers[mid]

    def _mark(self, o, markers):
        if markers is None:
            return None
        mid = id(o)
        if mid in markers:
            raise ValueError('Circular reference detected')
        markers[mid] = o
        return mid

    def _open(self, bracket, out, indent, level):
        # Open a non-empty list or dict: (its level, the newline that starts
        # each item when indenting or None, the separator between items).
        out.append(bracket)
        if indent is None:
            return level, None, self.item_separator
        level += 1
        newline = '\n' + indent * level
        out.append(newline)
        return level, newline, self.item_separator + newline

    def _enc_list(self, lst, out, markers, indent, level):
        if not lst:
            out.append('[]')
            return
        mid = self._mark(lst, markers)
        level, newline, sep = self._open('[', out, indent, level)
        first = True
        for v in lst:
            if not first:
                out.append(sep)
            first = False
            self._enc(v, out, markers, indent, level)
        if newline is not None:
            out.append('\n' + indent * (level - 1))
        out.append(']')
        if markers is not None:
            del markers[mid]

    def _key(self, k):
        # The key as a JSON string's contents, or None to skip it.
        if isinstance(k, str):
            return k
        if isinstance(k, float):
            return self._float(k)
        if k is True:
            return 'true'
        if k is False:
            return 'false'
        if k is None:
            return 'null'
        if isinstance(k, int):
            return repr(int(k))
        if self.skipkeys:
            return None
        raise TypeError('keys must be str, int, float, bool or None, not %s'
                        % type(k).__name__)

    def _enc_dict(self, dct, out, markers, indent, level):
        if not dct:
            out.append('{}')
            return
        mid = self._mark(dct, markers)
        level, newline, sep = self._open('{', out, indent, level)
        if self.sort_keys:
            items = sorted(dct.items())
        else:
            items = dct.items()
        first = True
        for k, v in items:
            key = self._key(k)
            if key is None:
                continue
            if not first:
                out.append(sep)
            first = False
            out.append(_encode_str(key, self.ensure_ascii))
            out.append(self.key_separator)
            self._enc(v, out, markers, indent, level)
        if newline is not None:
            out.append('\n' + indent * (level - 1))
        out.append('}')
        if markers is not None:
            del markers[mid]


def dumps(obj, *, skipkeys=False, ensure_ascii=True, check_circular=True,
          allow_nan=True, cls=None, indent=None, separators=None,
          default=None, sort_keys=False, **kw):
    if cls is None:
        cls = JSONEncoder
    return cls(skipkeys=skipkeys, ensure_ascii=ensure_ascii,
               check_circular=check_circular, allow_nan=allow_nan,
               indent=indent, separators=separators, default=default,
               sort_keys=sort_keys, **kw).encode(obj)


def dump(obj, fp, *, skipkeys=False, ensure_ascii=True, check_circular=True,
         allow_nan=True, cls=None, indent=None, separators=None,
         default=None, sort_keys=False, **kw):
    if cls is None:
        cls = JSONEncoder
    enc = cls(skipkeys=skipkeys, ensure_ascii=ensure_ascii,
              check_circular=check_circular, allow_nan=allow_nan,
              indent=indent, separators=separators, default=default,
              sort_keys=sort_keys, **kw)
    for chunk in enc.iterencode(obj):
        fp.write(chunk)


# ---------------------------------------------------------------- decoder

_WS = ' \t\n\r'
_DIGITS = '0123456789'
_HEX = '0123456789abcdefABCDEF'
_BACKSLASH = {'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f',
              'n': '\n', 'r': '\r', 't': '\t'}
_CONSTANTS = {'NaN': float('nan'), 'Infinity': _INF, '-Infinity': -_INF}


def _skip(s, i):
    n = len(s)
    while i < n and s[i] in _WS:
        i += 1
    return i


class JSONDecoder:
    def __init__(self, *, object_hook=None, parse_float=None, parse_int=None,
                 parse_constant=None, strict=True, object_pairs_hook=None):
        self.object_hook = object_hook
        self.parse_float = parse_float or float
        self.parse_int = parse_int or int
        self.parse_constant = parse_constant or _CONSTANTS.__getitem__
        self.strict = strict
        self.object_pairs_hook = object_pairs_hook

    def decode(self, s):
        obj, end = self.raw_decode(s, _skip(s, 0))
        end = _skip(s, end)
        if end != len(s):
            raise JSONDecodeError('Extra data', s, end)
        return obj

    def raw_decode(self, s, idx=0):
        return self._value(s, idx)

    def _value(self, s, i):
        n = len(s)
        if i >= n:
            raise JSONDecodeError('Expecting value', s, i)
        c = s[i]
        if c == '"':
            return self._string(s, i + 1)
        if c == '{':
            return self._object(s, i + 1)
        if c == '[':
            return self._array(s, i + 1)
        if c == 'n' and s.startswith('null', i):
            return None, i + 4
        if c == 't' and s.startswith('true', i):
            return True, i + 4
        if c == 'f' and s.startswith('false', i):
            return False, i + 5
        if c == 'N' and s.startswith('NaN', i):
            return self.parse_constant('NaN'), i + 3
        if c == 'I' and s.startswith('Infinity', i):
            return self.parse_constant('Infinity'), i + 8
        if c == '-' and s.startswith('-Infinity', i):
            return self.parse_constant('-Infinity'), i + 9
        return self._number(s, i)

    def _number(self, s, i):
        n = len(s)
        j = i
        if j < n and s[j] == '-':
            j += 1
        if j < n and s[j] == '0':
            j += 1
        elif j < n and s[j] in '123456789':
            j += 1
            while j < n and s[j] in _DIGITS:
                j += 1
        else:
            raise JSONDecodeError('Expecting value', s, i)
        is_float = False
        if j + 1 < n and s[j] == '.' and s[j + 1] in _DIGITS:
            is_float = True
            j += 2
            while j < n and s[j] in _DIGITS:
                j += 1
        if j < n and s[j] in 'eE':
            k = j + 1
            if k < n and s[k] in '+-':
                k += 1
            if k < n and s[k] in _DIGITS:
                while k < n and s[k] in _DIGITS:
                    k += 1
                is_float = True
                j = k
        text = s[i:j]
        if is_float:
            return self.parse_float(text), j
        return self.parse_int(text), j

    def _string(self, s, i):
        # i is just after the opening quote.
        start = i - 1
        n = len(s)
        chunks = []
        while True:
            j = i
            while j < n:
                c = s[j]
                if c == '"' or c == '\\':
                    break
                if c < ' ' and self.strict:
                    raise JSONDecodeError('Invalid control character at',
                                          s, j)
                j += 1
            if j >= n:
                raise JSONDecodeError('Unterminated string starting at',
                                      s, start)
            chunks.append(s[i:j])
            if s[j] == '"':
                return ''.join(chunks), j + 1
            if j + 1 >= n:
                raise JSONDecodeError('Unterminated string starting at',
                                      s, start)
            esc = s[j + 1]
            if esc != 'u':
                ch = _BACKSLASH.get(esc)
                if ch is None:
                    raise JSONDecodeError('Invalid \\escape', s, j)
                chunks.append(ch)
                i = j + 2
                continue
            uni = self._hex(s, j + 2)
            i = j + 6
            if 0xd800 <= uni <= 0xdbff and s.startswith('\\u', i):
                uni2 = self._hex(s, i + 2)
                if 0xdc00 <= uni2 <= 0xdfff:
                    uni = 0x10000 + (((uni - 0xd800) << 10) |
                                     (uni2 - 0xdc00))
                    i += 6
            chunks.append(chr(uni))

    def _hex(self, s, i):
        h = s[i:i + 4]
        ok = len(h) == 4
        for c in h:
            if c not in _HEX:
                ok = False
        if not ok:
            raise JSONDecodeError('Invalid \\uXXXX escape', s, i - 1)
        return int(h, 16)

    def _object(self, s, i):
        pairs = []
        i = _skip(s, i)
        n = len(s)
        if i < n and s[i] == '}':
            return self._finish_object(pairs), i + 1
        while True:
            if i >= n or s[i] != '"':
                raise JSONDecodeError('Expecting property name enclosed in '
                                      'double quotes', s, i)
            key, i = self._string(s, i + 1)
            i = _skip(s, i)
            if i >= n or s[i] != ':':
                raise JSONDecodeError("Expecting ':' delimiter", s, i)
            i = _skip(s, i + 1)
            value, i = self._value(s, i)
            pairs.append((key, value))
            i = _skip(s, i)
            if i < n and s[i] == '}':
                return self._finish_object(pairs), i + 1
            if i >= n or s[i] != ',':
                raise JSONDecodeError("Expecting ',' delimiter", s, i)
            i = _skip(s, i + 1)

    def _finish_object(self, pairs):
        if self.object_pairs_hook is not None:
            return self.object_pairs_hook(pairs)
        d = {}
        for k, v in pairs:
            d[k] = v
        if self.object_hook is not None:
            return self.object_hook(d)
        return d

    def _array(self, s, i):
        values = []
        i = _skip(s, i)
        n = len(s)
        if i < n and s[i] == ']':
            return values, i + 1
        while True:
            value, i = self._value(s, i)
            values.append(value)
            i = _skip(s, i)
            if i < n and s[i] == ']':
                return values, i + 1
            if i >= n or s[i] != ',':
                raise JSONDecodeError("Expecting ',' delimiter", s, i)
            i = _skip(s, i + 1)


def loads(s, *, cls=None, object_hook=None, parse_float=None, parse_int=None,
          parse_constant=None, object_pairs_hook=None, **kw):
    if not isinstance(s, str):
        raise TypeError('the JSON object must be str, bytes or bytearray, '
                        'not %s' % type(s).__name__)
    if cls is None:
        cls = JSONDecoder
    return cls(object_hook=object_hook, parse_float=parse_float,
               parse_int=parse_int, parse_constant=parse_constant,
               object_pairs_hook=object_pairs_hook, **kw).decode(s)


def load(fp, *, cls=None, object_hook=None, parse_float=None, parse_int=None,
         parse_constant=None, object_pairs_hook=None, **kw):
    return loads(fp.read(), cls=cls, object_hook=object_hook,
                 parse_float=parse_float, parse_int=parse_int,
                 parse_constant=parse_constant,
                 object_pairs_hook=object_pairs_hook, **kw)
