"""Public tests for splits.py: the lab sheet's sizes, and each clause on a small case."""

import numpy as np
import pytest
from mistakes import ROUNDED_SPLIT, gives


def sizes(parts) -> list[int]:
    return [len(part) for part in parts]


def test_the_sheets_split_sizes(sub):
    features, labels = np.zeros((25_000, 3)), np.zeros(25_000)
    got = sizes(sub.splits.split_data(features, labels, 0.8))
    assert got == [20_000, 20_000, 2_500, 2_500, 2_500, 2_500]


def test_no_shuffling(sub):
    features = np.arange(10)
    train_x, _, val_x, _, test_x, _ = sub.splits.split_data(features, features, 0.8)
    got = [train_x.tolist(), val_x.tolist(), test_x.tolist()]
    assert got == [list(range(8)), [8], [9]]


def test_the_odd_row_goes_to_test(sub):
    # 6 rows at 0.5: 3 to train; of the other 3, 1 to validation and 2 (the odd one) to test.
    features = np.arange(6)
    got = sizes(sub.splits.split_data(features, features, 0.5))
    assert got == [3, 3, 1, 1, 2, 2], (
        "This is what giving validation the odd row gives: it goes to test."
        if got == [3, 3, 2, 2, 1, 1]
        else ""
    )
    # 9 rows at 0.75: int(6.75) = 6 to train; of the other 3, 1 to validation and 2 to test.
    features = np.arange(9)
    got = sizes(sub.splits.split_data(features, features, 0.75))
    assert got == [6, 6, 1, 1, 2, 2], (
        f"{gives(ROUNDED_SPLIT)}: train gets int(n * split_frac) rows."
        if got == [7, 7, 1, 1, 1, 1]
        else ""
    )


def test_split_frac_above_1_is_a_value_error(sub):
    features = np.arange(10)
    with pytest.raises(ValueError):
        sub.splits.split_data(features, features, 1.2)


def test_mismatched_lengths_are_a_value_error(sub):
    with pytest.raises(ValueError):
        sub.splits.split_data(np.arange(4), np.arange(5), 0.5)
