# Generated from the reference by `rnnlab stubs`: fill in the functions that
# raise NotImplementedError. Do not rename functions or change their signatures.
"""Lab part 2, step 4: training, validation and test sets."""

from collections.abc import Sequence


def split_data(features: Sequence, labels: Sequence, split_frac: float = 0.8) -> tuple:
    """Split rows, in order, into training, validation and test sets.

    With ``n = len(features)`` and ``split_idx = int(n * split_frac)``:

    - the first ``split_idx`` rows are the training set;
    - of the remaining ``n - split_idx`` rows, the first ``(n - split_idx) // 2``
      are the validation set and the rest (one more when the remainder is odd)
      the test set.

    No shuffling. 25,000 rows with ``split_frac=0.8`` give 20,000 / 2,500 / 2,500;
    10 rows give 8 / 1 / 1; 3 rows give 2 / 0 / 1. ``split_idx`` is computed
    exactly as written, ``int(n * split_frac)`` (so floating-point rounding
    decides: ``int(100 * 0.29)`` is 28).

    Args:
        features: a numpy array (or any sliceable sequence) of ``n`` rows.
        labels: ``n`` labels, likewise.
        split_frac: the fraction of rows for training, strictly between 0 and 1.

    Returns:
        ``(train_x, train_y, val_x, val_y, test_x, test_y)``: slices of the inputs,
        of the same type as the inputs.

    Raises:
        ValueError: if ``len(labels) != len(features)``, or ``split_frac`` is
            not strictly between 0 and 1.
    """
    raise NotImplementedError("split_data: your code here")
