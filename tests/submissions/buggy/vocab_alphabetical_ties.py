"""loses: vocab. Breaks ties between equally frequent words alphabetically.
names: ties broken alphabetically
"""

from collections import Counter


def build_vocab(reviews):
    counts = Counter(word for review in reviews for word in review.split())
    order = sorted(counts, key=lambda w: (-counts[w], w))
    return {word: i for i, word in enumerate(order, 1)}
