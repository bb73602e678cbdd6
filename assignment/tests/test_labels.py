"""Public tests for labels.py.

Each clause the hidden tests grade has a test here, on a smaller case.
"""

import pytest

INTEGERS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def test_raw_text_with_trailing_newline(sub):
    encoded = sub.labels.encode_labels("positive\nnegative\npositive\n")
    got = encoded.tolist()
    assert got == [1, 0, 1], (
        "This is what labels reversed gives: positive is 1." if got == [0, 1, 0] else ""
    )
    dtype = str(encoded.dtype)
    assert dtype in INTEGERS, "the array's dtype should be an integer one"


def test_a_list_of_labels(sub):
    got = sub.labels.encode_labels(["negative", "positive"]).tolist()
    assert got == [0, 1]


def test_case_and_spaces_do_not_matter(sub):
    got = sub.labels.encode_labels([" Positive\r", "NEGATIVE ", "\tpositive"]).tolist()
    assert got == [1, 0, 1], "labels are stripped of white space and compared in any case"


def test_no_labels_give_an_empty_integer_array(sub):
    encoded = sub.labels.encode_labels(())
    shape, dtype = encoded.shape, str(encoded.dtype)
    assert shape == (0,)
    assert dtype in INTEGERS, "an empty array has an integer dtype too (np.array([]) is float64)"


def test_anything_else_is_a_value_error(sub):
    with pytest.raises(ValueError) as raised:
        sub.labels.encode_labels(["positive", "negative", "neutral"])
    message = str(raised.value)
    assert "2" in message and "neutral" in message, (
        "the message should name the index (2) and the value ('neutral') of the first bad label"
    )


def test_an_empty_line_in_the_middle_is_a_value_error(sub):
    with pytest.raises(ValueError):
        sub.labels.encode_labels("positive\n\npositive")
