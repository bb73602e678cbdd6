"""loses: vocab. Numbers words from 0, which the padding needs for itself.
names: numbering from 0
"""

from collections import Counter


def build_vocab(reviews):
    counts = Counter(word for review in reviews for word in review.split())
    return {word: i for i, (word, _) in enumerate(counts.most_common())}
