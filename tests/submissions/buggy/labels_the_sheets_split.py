"""loses: labels. The sheet's labels.split('\\n') and exact comparison: no stripping, no case."""

import numpy as np


def encode_labels(labels):
    if isinstance(labels, str):
        labels = labels.split("\n")
    out = []
    for i, label in enumerate(labels):
        if label not in ("positive", "negative"):
            raise ValueError(f"label {i} is {label!r}")
        out.append(1 if label == "positive" else 0)
    return np.array(out, dtype=np.int64)
