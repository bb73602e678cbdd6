"""loses: splits. Rounds n * split_frac instead of truncating it.
names: rounding n * split_frac to the nearest integer
"""


def split_data(features, labels, split_frac=0.8):
    n = len(features)
    if len(labels) != n or not 0 < split_frac < 1:
        raise ValueError("bad input")
    split_idx = round(n * split_frac)
    val_end = split_idx + (n - split_idx) // 2
    return (
        features[:split_idx],
        labels[:split_idx],
        features[split_idx:val_end],
        labels[split_idx:val_end],
        features[val_end:],
        labels[val_end:],
    )
