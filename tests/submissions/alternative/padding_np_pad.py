"""loses: nothing (padding). Correct with np.pad a row and a boolean mask; seq_len checked with
operator.index."""

import operator

import numpy as np


def drop_empty(reviews_ints, labels):
    labels = np.array(labels)
    if len(labels) != len(reviews_ints):
        raise ValueError("reviews and labels differ in length")
    keep = np.array([len(review) > 0 for review in reviews_ints], dtype=bool)
    kept = [review for review, k in zip(reviews_ints, keep, strict=True) if k]
    return kept, labels[keep] if len(labels) else labels


def pad_features(reviews_ints, seq_len=200):
    if isinstance(seq_len, bool):
        raise ValueError("seq_len must be an integer, not a bool")
    try:
        seq_len = operator.index(seq_len)
    except TypeError:
        raise ValueError(f"seq_len must be an integer, not {seq_len!r}") from None
    if seq_len <= 0:
        raise ValueError("seq_len must be positive")
    rows = [
        np.pad(np.asarray(review[:seq_len], dtype=np.int64), (seq_len - len(review[:seq_len]), 0))
        for review in reviews_ints
    ]
    return np.stack(rows) if rows else np.zeros((0, seq_len), dtype=np.int64)
