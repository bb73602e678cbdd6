"""Public tests for splits.py."""

import numpy as np


def test_the_sheets_split_sizes(sub):
    features, labels = np.zeros((25_000, 3)), np.zeros(25_000)
    parts = sub.splits.split_data(features, labels, 0.8)
    assert [len(p) for p in parts] == [20_000, 20_000, 2_500, 2_500, 2_500, 2_500]


def test_no_shuffling(sub):
    features = np.arange(10)
    train_x, _, val_x, _, test_x, _ = sub.splits.split_data(features, features, 0.8)
    assert train_x.tolist() == list(range(8))
    assert val_x.tolist() == [8]
    assert test_x.tolist() == [9]
