print(sorted([3, 1, 2]), sorted('cab'), sorted({'b': 1, 'a': 2}), sorted([1, 2, 3], reverse=True), list(reversed([1, 2, 3])), list(reversed('ab')), list(reversed(range(3))))
