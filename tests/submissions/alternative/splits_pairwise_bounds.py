"""loses: nothing (splits). Correct: the three sets' bounds, then every slice from
itertools.pairwise, in one tuple."""

from itertools import pairwise


def split_data(features, labels, split_frac=0.8):
    if len(features) != len(labels):
        raise ValueError("features and labels must have the same length")
    if split_frac <= 0 or split_frac >= 1:
        raise ValueError("split_frac must be in (0, 1)")
    n = len(features)
    train_end = int(n * split_frac)
    rest = n - train_end
    bounds = [0, train_end, train_end + rest // 2, n]
    parts = []
    for start, stop in pairwise(bounds):
        parts += [features[start:stop], labels[start:stop]]
    return tuple(parts)
