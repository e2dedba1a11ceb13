# json.loads: values, strings and escapes, numbers, hooks, round trips,
# and JSONDecodeError's message and position fields.
import json

print(json.loads('{"a": [1, 2.5, -3, 1e3, 1E-2, -0.5e+1], "b": {"c": null}}'))
print(json.loads(' [true, false, null, "x", [], {}] \n'))
print(json.loads('"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\"\\\\\\/ \\b\\f\\r"'))
print(repr(json.loads('"\\ud800 lone"')))
print(json.loads('[NaN, Infinity, -Infinity]'))
print(json.loads('12'), json.loads('-0'), json.loads('3.0'), json.loads('"s"'))
print(json.loads('{"a": 1, "a": 2}'))
print(json.loads('{"x": 1}', object_hook=lambda d: sorted(d.items())))
print(json.loads('{"x": 1, "y": [2]}', object_pairs_hook=lambda p: p))
print(json.loads('[1.5, 2]', parse_float=str, parse_int=float))
print(json.loads('[NaN]', parse_constant=lambda c: "const " + c))
print(json.loads('"a\tb"', strict=False))
data = {"k": [1, 2, {"z": "\u00e9"}], "n": None, "f": 0.1}
print(json.loads(json.dumps(data)) == data)
print(json.loads(json.dumps(data, indent=3)) == data)
print(json.JSONDecoder().raw_decode('[1] tail'))

bad = ['', ' ', '[1,]', '{"a":1,}', '{1:2}', '{"a" 1}', '[1 2]', '"abc',
       '"a\\qb"', '"\\u12"', '"\\u12zz"', '"a\nb"', '1 2', '-', '01', '[',
       '{"a":', 'nul', '{', '[1,2', '{"a":1 "b"}', '"x\\', '[1]\n\n  x',
       '\n{"a":\n  tru}']
for s in bad:
    try:
        print(json.loads(s))
    except json.JSONDecodeError as e:
        print(repr(s), "->", e, "|", e.msg, e.pos, e.lineno, e.colno)
try:
    json.loads('x')
except ValueError as e:
    print("ValueError subclass:", type(e).__name__, isinstance(e, ValueError))
try:
    json.loads(12)
except TypeError as e:
    print("TypeError:", e)
json.loads('{"a": [1, ')
