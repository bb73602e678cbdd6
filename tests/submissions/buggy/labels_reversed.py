"""loses: labels. Maps positive to 0 and negative to 1.
names: labels reversed
"""

import numpy as np


def encode_labels(labels):
    if isinstance(labels, str):
        labels = labels.split("\n")
        if labels[-1] == "":
            labels.pop()
    codes = {"positive": 0, "negative": 1}
    out = []
    for i, label in enumerate(labels):
        key = label.strip().lower()
        if key not in codes:
            raise ValueError(f"label {i} is {label!r}")
        out.append(codes[key])
    return np.array(out, dtype=np.int64)
