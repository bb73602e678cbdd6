"""Hidden tests of the ``padding`` question."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as hst

from autograder.authoring import (
    Array,
    expect,
    expect_raises,
    expect_structure,
    properties,
    show,
    student_call,
)

from . import _strategies as st


def _pad_mistakes(rows: list[list[int]], seq_len: int) -> dict:
    right = np.zeros((len(rows), seq_len), dtype=np.int64)
    last = np.zeros((len(rows), seq_len), dtype=np.int64)
    for i, row in enumerate(rows):
        kept = row[:seq_len]
        right[i, : len(kept)] = kept
        tail = row[-seq_len:] if row else []
        last[i, seq_len - len(tail) :] = tail
    return {"padding on the right": right, "keeping the LAST seq_len words": last}


def _check_integer_matrix(got, shape, call: str) -> None:
    expect_structure(got, Array(shape, "int", strict=True), call)


def pad_matches_reference(sub, ref):
    @properties(80)
    @given(
        hst.integers(1, 30).flatmap(
            lambda n: hst.tuples(st.reviews_ints(max_len=n + 5), hst.just(n))
        )
    )
    def prop(case):
        rows, seq_len = case
        call = f"pad_features({show(rows, 300)}, seq_len={seq_len})"
        got = student_call(call, lambda: sub.padding.pad_features(rows, seq_len))
        _check_integer_matrix(got, (len(rows), seq_len), call)
        expect(
            got,
            ref.padding.pad_features(rows, seq_len),
            call,
            mistakes=_pad_mistakes(rows, seq_len),
        )

    prop()


def pad_no_reviews(sub, ref):
    for seq_len in (1, 7, 200):
        call = f"pad_features([], seq_len={seq_len})"
        got = student_call(call, lambda n=seq_len: sub.padding.pad_features([], n))
        _check_integer_matrix(got, (0, seq_len), call)


def pad_refuses_bad_seq_len(sub, ref):
    for seq_len in (0, -3, 2.5, True):  # True is a bool, not a length (the docstring says so)
        expect_raises(
            "ValueError",
            lambda n=seq_len: sub.padding.pad_features([[1, 2]], n),
            f"pad_features([[1, 2]], seq_len={seq_len!r})",
        )


def drop_empty_matches_reference(sub, ref):
    @properties(60)
    @given(st.reviews_ints(), hst.booleans())
    def prop(rows, as_array):
        labels = np.arange(len(rows)) % 2
        given_labels = labels if as_array else labels.tolist()
        call = f"drop_empty({show(rows, 300)}, {show(given_labels, 100)})"
        got = student_call(call, lambda: sub.padding.drop_empty(rows, given_labels))
        got_rows, got_labels = expect_structure(got, (list, Array((None,))), call)
        kept, kept_labels = ref.padding.drop_empty(rows, labels)
        expect(got_rows, kept, f"{call}: the reviews")
        expect(got_labels, kept_labels, f"{call}: the labels")

    prop()


def drop_empty_refuses_mismatched_lengths(sub, ref):
    for rows, labels in (([[1], [2]], [1]), ([[1]], [1, 0]), ([], [0])):
        expect_raises(
            "ValueError",
            lambda r=rows, lab=labels: sub.padding.drop_empty(r, lab),
            f"drop_empty({rows!r}, {labels!r})",
        )
