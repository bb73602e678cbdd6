# Generated from the reference by `rnnlab stubs`: fill in the functions that
# raise NotImplementedError. Do not rename functions or change their signatures.
"""Lab part 2, step 2: turn "positive"/"negative" into 1/0."""

from collections.abc import Sequence

import numpy as np


def encode_labels(labels: str | Sequence[str]) -> np.ndarray:
    """Encode sentiment labels as integers: ``positive`` -> 1, ``negative`` -> 0.

    Args:
        labels: either the raw text of ``labels.txt`` (one ``str``, one label a
            line), or a sequence of strings, one label per review.

            For raw text, lines are split on ``"\\n"``; a trailing newline ends
            the last line and does NOT add an extra empty label, so
            ``"positive\\nnegative\\n"`` is two labels.

            Each label is stripped of surrounding white space (spaces, tabs,
            ``"\\r"``) and compared without regard to case, so ``" Positive\\r"``
            is 1.

    Returns:
        A 1-D numpy array of an integer dtype, one entry per label. Empty text
        (``""``) or an empty sequence gives an empty array.

    Raises:
        ValueError: for any other label, including an empty line in the middle
            of the text. The message names the 0-based index of the first bad
            label and its value, e.g. ``label 3 is 'neutral'``.
    """
    raise NotImplementedError("encode_labels: your code here")
