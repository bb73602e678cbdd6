"""Public tests for splits.py."""

import numpy as np
from splits import split_data


def test_the_sheets_split_sizes():
    features, labels = np.zeros((25_000, 3)), np.zeros(25_000)
    train_x, train_y, val_x, val_y, test_x, test_y = split_data(features, labels, 0.8)
    assert (len(train_x), len(val_x), len(test_x)) == (20_000, 2_500, 2_500)
    assert (len(train_y), len(val_y), len(test_y)) == (20_000, 2_500, 2_500)


def test_no_shuffling():
    features = np.arange(10)
    train_x, _, val_x, _, test_x, _ = split_data(features, features, 0.8)
    assert train_x.tolist() == list(range(8))
    assert val_x.tolist() == [8]
    assert test_x.tolist() == [9]
