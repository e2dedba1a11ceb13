sq = {x: x * x for x in range(5)}
print(sq, {v: k for k, v in sq.items() if v > 3})
words = 'the quick brown the lazy the end'.split()
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
print(counts, max(counts, key=counts.get))
