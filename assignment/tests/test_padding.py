"""Public tests for padding.py: the lab sheet's examples, and each clause on a small case."""

import pytest

INTEGERS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def test_the_sheets_example_row(sub):
    got = sub.padding.pad_features([[117, 18, 128]], seq_len=5).tolist()
    assert got == [[0, 0, 117, 18, 128]], (
        "This is what padding on the right gives: pad on the LEFT."
        if got == [[117, 18, 128, 0, 0]]
        else ""
    )


def test_rows_of_200_left_padded(sub):
    features = sub.padding.pad_features([[117, 18, 128], list(range(1, 301))])
    shape, dtype = features.shape, str(features.dtype)
    assert shape == (2, 200)
    assert dtype in INTEGERS, "the array's dtype should be an integer one"
    got = features[0, 197:].tolist()
    assert got == [117, 18, 128]
    padding = features[0, :197].tolist()
    assert padding == [0] * 197
    long_row = features[1].tolist()
    assert long_row == list(range(1, 201)), (
        "This is what keeping the LAST seq_len words gives: keep the FIRST 200."
        if long_row == list(range(101, 301))
        else "a long review keeps its FIRST seq_len words"
    )


def test_no_reviews_give_zero_rows(sub):
    features = sub.padding.pad_features([], seq_len=3)
    shape, dtype = features.shape, str(features.dtype)
    assert shape == (0, 3)
    assert dtype in INTEGERS, "the array's dtype should be an integer one"


def test_seq_len_0_is_a_value_error(sub):
    with pytest.raises(ValueError):
        sub.padding.pad_features([[5, 6, 7]], seq_len=0)


def test_drop_empty_removes_reviews_and_their_labels(sub):
    reviews, labels = sub.padding.drop_empty([[4], [], [1, 2]], [1, 0, 0])
    assert reviews == [[4], [1, 2]]
    kept = list(labels)
    assert kept == [1, 0]


def test_drop_empty_refuses_more_labels_than_reviews(sub):
    with pytest.raises(ValueError):
        sub.padding.drop_empty([[1, 2], [3]], [1, 0, 1])
