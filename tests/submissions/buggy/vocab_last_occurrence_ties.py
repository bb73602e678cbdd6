"""loses: vocab. Breaks ties between equally frequent words by their last occurrence.
names: ties broken by the last occurrence
"""

from collections import Counter


def build_vocab(reviews):
    stream = [word for review in reviews for word in review.split()]
    counts = Counter(stream)
    last = {word: i for i, word in enumerate(stream)}
    order = sorted(counts, key=lambda w: (-counts[w], -last[w]))
    return {word: i for i, word in enumerate(order, 1)}
