"""Public tests for padding.py: the lab sheet's examples."""

import numpy as np


def test_the_sheets_example_row(sub):
    assert sub.padding.pad_features([[117, 18, 128]], seq_len=5).tolist() == [[0, 0, 117, 18, 128]]


def test_rows_of_200_left_padded(sub):
    features = sub.padding.pad_features([[117, 18, 128], list(range(1, 301))])
    assert features.shape == (2, 200)
    assert np.issubdtype(features.dtype, np.integer)
    assert features[0, :197].tolist() == [0] * 197
    assert features[0, 197:].tolist() == [117, 18, 128]
    assert features[1].tolist() == list(range(1, 201))  # the FIRST 200 words


def test_drop_empty_removes_reviews_and_their_labels(sub):
    reviews, labels = sub.padding.drop_empty([[4], [], [1, 2]], [1, 0, 0])
    assert reviews == [[4], [1, 2]]
    assert list(labels) == [1, 0]
