"""loses: nothing (labels). Correct with numpy's string functions: np.char.strip and lower,
np.flatnonzero for the first bad label, an int16 result."""

import numpy as np


def encode_labels(labels):
    if isinstance(labels, str):
        labels = labels.split("\n")[:-1] if labels.endswith("\n") else labels.split("\n")
        if labels == [""]:
            labels = []
    raw = np.array(list(labels), dtype=str)
    if raw.size == 0:
        return np.zeros(0, dtype=np.int16)
    words = np.char.lower(np.char.strip(raw))
    bad = np.flatnonzero((words != "positive") & (words != "negative"))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"label {i} is {labels[i]!r}")
    return (words == "positive").astype(np.int16)
