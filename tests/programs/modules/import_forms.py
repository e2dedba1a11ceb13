import math as m
from math import sqrt, pi as PI
from random import (seed,
                    random)
print(m.floor(2.5), sqrt(9), PI)
seed(1)
print(random())
