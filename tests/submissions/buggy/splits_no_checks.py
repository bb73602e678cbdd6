"""loses: splits. Right sizes, but accepts any split_frac and mismatched lengths."""


def split_data(features, labels, split_frac=0.8):
    n = len(features)
    split_idx = int(n * split_frac)
    val_end = split_idx + (n - split_idx) // 2
    return (
        features[:split_idx],
        labels[:split_idx],
        features[split_idx:val_end],
        labels[split_idx:val_end],
        features[val_end:],
        labels[val_end:],
    )
