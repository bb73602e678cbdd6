"""loses: vocab. Numbers the words from the least frequent up.
names: the least frequent word first
"""

from collections import Counter


def build_vocab(reviews):
    counts = Counter(word for review in reviews for word in review.split())
    order = [word for word, _ in counts.most_common()][::-1]
    return {word: i for i, word in enumerate(order, 1)}
