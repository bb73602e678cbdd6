"""loses: labels. Returns float64 for empty input (np.array([]) has no integer dtype).
fails: empty_inputs_give_empty_arrays
"""

import numpy as np


def encode_labels(labels):
    if isinstance(labels, str):
        labels = labels.split("\n")
        if labels[-1] == "":
            labels.pop()
    out = []
    for i, label in enumerate(labels):
        key = label.strip().lower()
        if key not in ("positive", "negative"):
            raise ValueError(f"label {i} is {label!r}")
        out.append(int(key == "positive"))
    return np.array(out)
