# json.dumps: separators, indent, sort_keys, ensure_ascii, floats, keys,
# default=, cls=, and the encoder's errors.
import json

data = {"name": "gilt", "n": 3, "pi": 3.14159, "tiny": 1e-07, "big": 1e16,
        "ok": True, "no": False, "none": None, "list": [1, 2.5, "x"],
        "tuple": (1, (2, 3)), "nested": {"b": [], "a": {}}}
print(json.dumps(data))
print(json.dumps(data, sort_keys=True))
print(json.dumps(data, indent=2, sort_keys=True))
print(json.dumps(data["list"], indent="\t"))
print(json.dumps(data["nested"], indent=0))
print(json.dumps([1, {"a": 2}], separators=(",", ":")))
print(json.dumps([1, [2, [3]]], indent=4, separators=(",", " = ")))
print(json.dumps("caf\u00e9 \u20ac \U0001f600 \"q\" \\ \n\t\x01\x7f"))
print(json.dumps("caf\u00e9 \u20ac \U0001f600 \x01\x7f", ensure_ascii=False))
print(json.dumps([float("nan"), float("inf"), -float("inf"), 0.1 + 0.2, -0.0, 1.0]))
print(json.dumps({1: "a", 2.5: "b", True: "c", None: "d", False: "e"}))
print(json.dumps({"b": 1, "a": 2, "c": {"z": 1, "y": 2}}, sort_keys=True))
print(json.dumps({(1, 2): 3, "k": 4}, skipkeys=True))
print(json.dumps(12), json.dumps("s"), json.dumps(None), json.dumps(2.0))


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


print(json.dumps([Point(1, 2)], default=lambda p: {"x": p.x, "y": p.y}))


class PointEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Point):
            return [o.x, o.y]
        return json.JSONEncoder.default(self, o)


print(json.dumps({"p": Point(3, 4)}, cls=PointEncoder))
print(PointEncoder(indent=1).encode([Point(5, 6)]))

for bad in [Point(1, 2), {(1, 2): 3}]:
    try:
        json.dumps(bad)
    except TypeError as e:
        print("TypeError:", e)
try:
    json.dumps([float("nan")], allow_nan=False)
except ValueError as e:
    print("ValueError:", e)
loop = [1]
loop.append(loop)
try:
    json.dumps(loop)
except ValueError as e:
    print("ValueError:", e)
d = {}
d["self"] = d
try:
    json.dumps(d)
except ValueError as e:
    print("ValueError:", e)
shared = [1, 2]
print(json.dumps([shared, shared]))
try:
    json.dumps({"b": 1, 2: 3}, sort_keys=True)
except TypeError as e:
    print("TypeError:", e)
