# Points as objects with float attributes: create many, normalise each
# (method calls, attribute loads and stores, math.sqrt), then fold them
# into their component-wise maximum.  Usage: float_points.py N
import math
import sys


class Point:
    def __init__(self, i):
        self.x = x = math.sin(i)
        self.y = math.cos(i) * 3
        self.z = (x * x) / 2

    def __repr__(self):
        return "<Point: x=%s, y=%s, z=%s>" % (self.x, self.y, self.z)

    def normalize(self):
        norm = math.sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

    def maximize(self, other):
        self.x = self.x if self.x > other.x else other.x
        self.y = self.y if self.y > other.y else other.y
        self.z = self.z if self.z > other.z else other.z
        return self


def run(n):
    points = [Point(i) for i in range(n)]
    for p in points:
        p.normalize()
    best = points[0]
    for p in points[1:]:
        best = best.maximize(p)
    return best


n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
for _ in range(3):
    p = run(n)
print("%.6f %.6f %.6f" % (p.x, p.y, p.z))
