"""loses: labels. Maps every label that is not "positive" to 0 instead of raising ValueError.

The commonest mistake that meets a public ``pytest.raises``: it must be a verdict, not a crash.
"""

import numpy as np


def encode_labels(labels):
    if isinstance(labels, str):
        labels = labels.split("\n")
        if labels[-1] == "":
            labels.pop()
    return np.array([int(label.strip().lower() == "positive") for label in labels], dtype=np.int64)
