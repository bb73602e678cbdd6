# Generated from the reference by `rnnlab stubs`: fill in the functions that
# raise NotImplementedError. Do not rename functions or change their signatures.
"""Lab part 2, step 3: drop empty reviews, then make every review ``seq_len`` long."""

from collections.abc import Sequence

import numpy as np


def drop_empty(
    reviews_ints: list[list[int]], labels: Sequence[int] | np.ndarray
) -> tuple[list[list[int]], np.ndarray]:
    """Remove every review of length 0 together with its label.

    Args:
        reviews_ints: encoded reviews (lists of ints), as ``encode_reviews`` gives.
        labels: one label per review (a list or a 1-D array).

    Returns:
        ``(reviews_ints, labels)`` without the empty reviews and their labels,
        in their original order. The labels come back as a numpy array.

    Raises:
        ValueError: if ``len(reviews_ints) != len(labels)``.

    Example:
        >>> drop_empty([[4], [], [1, 2]], [1, 0, 0])
        ([[4], [1, 2]], array([1, 0]))
    """
    raise NotImplementedError("drop_empty: your code here")


def pad_features(reviews_ints: list[list[int]], seq_len: int = 200) -> np.ndarray:
    """Make a ``(len(reviews_ints), seq_len)`` integer array, one review a row.

    - A review shorter than ``seq_len`` is padded with 0s on the LEFT, so its
      words sit at the end of the row: ``[117, 18, 128]`` with ``seq_len=5``
      gives ``[0, 0, 117, 18, 128]``.
    - A review longer than ``seq_len`` keeps its FIRST ``seq_len`` words.
    - A review of exactly ``seq_len`` words is kept as it is; an empty one is
      a row of 0s.

    Args:
        reviews_ints: encoded reviews (lists of ints).
        seq_len: the row length, a positive integer.

    Returns:
        An array of shape ``(len(reviews_ints), seq_len)`` and an integer dtype.
        No reviews give shape ``(0, seq_len)``.

    Raises:
        ValueError: if ``seq_len`` is not a positive integer (0, -3, 2.5 and
            ``True`` are all refused).
    """
    raise NotImplementedError("pad_features: your code here")
