"""Public tests for labels.py."""

import numpy as np
import pytest


def test_raw_text_with_trailing_newline(sub):
    encoded = sub.labels.encode_labels("positive\nnegative\npositive\n")
    assert encoded.tolist() == [1, 0, 1]
    assert np.issubdtype(encoded.dtype, np.integer)


def test_a_list_of_labels(sub):
    assert sub.labels.encode_labels(["negative", "positive"]).tolist() == [0, 1]


def test_anything_else_is_a_value_error(sub):
    with pytest.raises(ValueError, match="2"):
        sub.labels.encode_labels(["positive", "negative", "neutral"])
