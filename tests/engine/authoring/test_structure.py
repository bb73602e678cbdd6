"""``expect_structure``: an answer of any kind gets a verdict that names what came back, and a
right one comes back ready to index and unpack."""

import numpy as np
import pytest

from autograder.authoring import Array, CheckFailure, ListOf, expect_structure, summary
from autograder.sandbox.inside.wire import Opaque

ODD = (10**5000, float("nan"), float("inf"), [float("nan")], {(1, 2): 3}, ())
"""The issue's ``split_data`` answer that crashed two hidden tests."""
SPLIT = (Array((None, 2)), Array((None,))) * 3
"""``split_data``'s answer: (rows, 2) features and 1-D labels, three times."""


def test_a_right_answer_comes_back_with_its_arrays_as_arrays():
    answer = [[[1, 2], [3, 4]], [0, 1]] * 3  # lists, as a student may return them
    got = expect_structure(answer, SPLIT, "split_data(...)")
    assert isinstance(got, tuple) and len(got) == 6
    assert [type(p) for p in got] == [np.ndarray] * 6
    assert [p.shape for p in got[:2]] == [(2, 2), (2,)]
    layers = expect_structure(
        [{"s": 1.0, "prev_s": 0, "extra": None}], ListOf({"s": float, "prev_s": float}), "f"
    )
    assert layers == [{"s": 1.0, "prev_s": 0, "extra": None}]


@pytest.mark.parametrize(
    "answer, said",
    [
        (None, "got None"),
        (ODD, "got a tuple of 6 whose [0] is an int of 16610 bits, not an array of shape (*, 2)"),
        (7, "got an int (7)"),
        (10**5000, "got an int of 16610 bits"),
        (float("nan"), "got a float (nan)"),
        ("wrong", "got a str ('wrong')"),
        (Opaque("generator"), "not plain data"),
        ({}, "got a dict with keys []"),
        ([], "got a list of 0"),
        ([[[1], [2, 3]]] * 6, "[0] is a list of 2 that makes no array"),
        ((np.zeros((3, 2)),) * 6, "[1] is an array of shape (3, 2) and dtype float64"),
        ((np.zeros((3, 2), str), np.zeros(3)) * 3, "[0] is an array of shape (3, 2) and dtype <U1"),
        ((np.zeros((3, 2)), np.zeros(3)) * 2, "got a tuple of 4"),
    ],
    ids=summary,
)
def test_a_wrong_answer_is_a_verdict_naming_what_came_back(answer, said):
    with pytest.raises(CheckFailure) as failure:
        expect_structure(answer, SPLIT, "split_data(<10 rows>)")
    message = str(failure.value)
    assert message.startswith(
        "split_data(<10 rows>): expected a tuple of 6 arrays of shapes (*, 2), (*,), (*, 2)"
    )
    assert said in message


@pytest.mark.parametrize(
    "spec, answer, said",
    [
        (
            Array((None,), "int", strict=True),
            [1, 2],
            "expected a 1-D numpy array of integers; got a list of 2",
        ),
        (Array((None,), "int"), np.array([1.5]), "got an array of shape (1,) and dtype float64"),
        (
            Array((2, 3)),
            np.zeros((2, 4)),
            "expected an array of shape (2, 3); got an array of shape (2, 4)",
        ),
        (
            {"s": object, "prev_s": object},
            {"s": 1, "x": 2},
            "got a dict with keys ['s', 'x'] without ['prev_s']",
        ),
        (ListOf(dict, 2), [{}, {}, {}], "expected a list of 2 items, each a dict; got a list of 3"),
        ((float, int), (1, True), "[1] is True, not an int"),
        ((float, str), (10**5000, "a"), "[0] is an int of 16610 bits too large for a float"),
    ],
    ids=summary,
)
def test_each_kind_of_spec_names_the_part_that_does_not_fit(spec, answer, said):
    with pytest.raises(CheckFailure, match="^f: expected ") as failure:
        expect_structure(answer, spec, "f")
    assert said in str(failure.value)


def test_an_int_is_a_number_and_a_bool_is_neither():
    assert expect_structure((1, 2.5, np.float32(1)), (float, float, float), "f") == (1, 2.5, 1.0)
    with pytest.raises(CheckFailure):
        expect_structure(True, float, "f")
