"""Public tests for labels.py."""

import numpy as np
import pytest
from labels import encode_labels


def test_raw_text_with_trailing_newline():
    encoded = encode_labels("positive\nnegative\npositive\n")
    assert encoded.tolist() == [1, 0, 1]
    assert np.issubdtype(encoded.dtype, np.integer)


def test_a_list_of_labels():
    assert encode_labels(["negative", "positive"]).tolist() == [0, 1]


def test_anything_else_is_a_value_error():
    with pytest.raises(ValueError, match="2"):
        encode_labels(["positive", "negative", "neutral"])
