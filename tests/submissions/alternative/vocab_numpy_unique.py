"""loses: nothing (vocab). Correct with numpy: np.unique's counts and first positions, ordered
with np.lexsort; encoding with dict.get and a filter."""

import numpy as np


def build_vocab(reviews):
    words = np.array([word for review in reviews for word in review.split()], dtype=object)
    if words.size == 0:
        return {}
    unique, first, counts = np.unique(words, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))  # by count, descending, then first position
    return {str(unique[i]): int(rank) for rank, i in enumerate(order, start=1)}


def encode_reviews(reviews, vocab_to_int):
    encoded = []
    for review in reviews:
        codes = (vocab_to_int.get(word) for word in review.split())
        encoded.append([code for code in codes if code is not None])
    return encoded
