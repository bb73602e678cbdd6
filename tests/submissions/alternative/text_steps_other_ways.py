"""loses: nothing (vocab, labels, padding, splits). Correct without Counter, int32/int64 mixed."""

import numpy as np


def build_vocab(reviews):
    counts, first = {}, {}
    for review in reviews:
        for word in review.split():
            counts[word] = counts.get(word, 0) + 1
            first.setdefault(word, len(first))
    order = sorted(counts, key=lambda w: (-counts[w], first[w]))
    return {w: i + 1 for i, w in enumerate(order)}


def encode_labels(labels):
    lines = labels.splitlines() if isinstance(labels, str) else list(labels)
    values = []
    for i, label in enumerate(lines):
        word = label.strip().lower()
        if word not in ("positive", "negative"):
            raise ValueError(f"bad label at index {i}: {label!r}")
        values.append(word == "positive")
    return np.array(values, dtype=np.int32)


def pad_features(reviews_ints, seq_len=200):
    if type(seq_len) is not int or seq_len <= 0:
        raise ValueError(f"bad seq_len {seq_len!r}")
    rows = [list(r[:seq_len]) for r in reviews_ints]
    return np.array([[0] * (seq_len - len(r)) + r for r in rows], dtype=np.int64).reshape(
        len(rows), seq_len
    )


def split_data(features, labels, split_frac=0.8):
    if not (split_frac > 0 and split_frac < 1) or len(features) != len(labels):
        raise ValueError("bad split")
    n = len(features)
    a = int(n * split_frac)
    b = a + (n - a) // 2
    return [features[:a], labels[:a], features[a:b], labels[a:b], features[b:], labels[b:]]
