"""loses: padding. Keeps the LAST seq_len words of a long review.
names: keeping the LAST seq_len words
"""

import numpy as np


def pad_features(reviews_ints, seq_len=200):
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len < 1:
        raise ValueError("seq_len must be a positive integer")
    features = np.zeros((len(reviews_ints), seq_len), dtype=int)
    for i, review in enumerate(reviews_ints):
        kept = review[-seq_len:] if review else []
        features[i, seq_len - len(kept) :] = kept
    return features
