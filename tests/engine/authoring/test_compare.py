"""Comparisons that never crash, and known mistakes named when they explain the answer or a
part of it (two mistakes at once: both), never by a coincidence of lone numbers."""

import numpy as np
import pytest

from autograder.authoring import CheckFailure, difference, expect, partly_explained, summary
from autograder.model import mistakes

EXPECTED = (np.array([1.0, 2.0]), np.array([3.0, 4.0]))
MISTAKES = {
    "a wrong mean": (np.array([9.0, 9.0]), np.array([3.0, 4.0])),  # the first part only
    "a wrong variance": (np.array([1.0, 2.0]), np.array([7.0, 7.0])),  # the second only
    "both off by one": (np.array([2.0, 3.0]), np.array([4.0, 5.0])),
}


def failure(got, expected, variants, **tolerances) -> CheckFailure:
    with pytest.raises(CheckFailure) as raised:
        expect(got, expected, "moments(x)", mistakes=variants, **tolerances)
    return raised.value


def test_two_mistakes_in_two_parts_are_both_named():
    got = (np.array([9.0, 9.0]), np.array([7.0, 7.0]))
    said = failure(got, EXPECTED, MISTAKES)
    assert mistakes.named(str(said)) == ["a wrong mean", "a wrong variance"]
    assert "Part of this is what a wrong mean gives" in str(said)
    assert said.mistake == "a wrong mean and a wrong variance"


def test_an_exact_match_names_that_mistake_alone():
    said = failure(MISTAKES["a wrong mean"], EXPECTED, MISTAKES)
    assert mistakes.named(str(said)) == ["a wrong mean"]
    assert "This is what a wrong mean gives" in str(said) and said.mistake == "a wrong mean"


def test_rows_of_an_array_are_parts():
    expected = np.array([[0, 1], [0, 2]])
    variants = {"right padding": np.array([[1, 0], [0, 2]]), "other": np.array([[0, 1], [2, 0]])}
    both = np.array([[1, 0], [2, 0]])
    assert partly_explained(both, expected, variants) == ["right padding", "other"]
    assert partly_explained(np.array([[1, 0], [5, 5]]), expected, variants) == ["right padding"]


@pytest.mark.parametrize(
    "got",
    [
        [9, 9, 1, 1, 0, 0],  # lone numbers: the first two agree with the mistake by chance
        (np.array([5.0, 5.0]), np.array([3.0, 4.0])),  # wrong where no mistake is
        None,
        (10**5000, float("nan"), float("inf"), [float("nan")], {(1, 2): 3}, ()),
        [[1], [2, 3]],
    ],
    ids=summary,
)
def test_nothing_is_named_without_a_part_the_mistake_gives(got):
    sizes = {"rounding": [9, 9, 0, 0, 1, 1]}
    assert partly_explained(got, [8, 8, 1, 1, 1, 1], sizes) == []
    assert partly_explained(got, EXPECTED, MISTAKES) == []
    assert mistakes.named(str(failure(got, EXPECTED, MISTAKES))) == []


def test_arrays_of_strings_compare_without_a_crash():
    strings = np.array(["1.0", "2.0"])
    assert difference(strings, np.array(["1.0", "3.0"])) is not None
    assert difference(strings, strings.copy()) is None
    assert difference(np.zeros(2), strings) is not None
    assert "expected numbers" in difference(strings, np.zeros(2))
