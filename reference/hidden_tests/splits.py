"""Hidden tests of the ``splits`` question."""

import numpy as np
from hypothesis import given

from autograder.authoring import (
    Array,
    expect,
    expect_raises,
    expect_structure,
    properties,
    student_call,
)

from . import _strategies as st
from ._mistakes import words

NAMES = ("train_x", "train_y", "val_x", "val_y", "test_x", "test_y")
PARTS = (Array((None, 2)), Array((None,))) * 3
"""What ``_data`` splits into: (rows, 2) features and 1-D labels, three times."""


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(2 * n).reshape(n, 2), np.arange(n) % 2


def _parts(sub, features, labels, frac, call):
    got = student_call(call, lambda: sub.splits.split_data(features, labels, frac))
    return expect_structure(got, PARTS, call)


def _size_mistakes(n: int, frac: float) -> dict:
    def sizes(split_idx, val):
        return [split_idx, split_idx, val, val, n - split_idx - val, n - split_idx - val]

    split_idx = int(n * frac)
    rest = n - split_idx
    return {
        "giving validation the odd row": sizes(split_idx, rest - rest // 2),
        words.ROUNDED_SPLIT: sizes(round(n * frac), (n - round(n * frac)) // 2),
    }


def sizes_match_reference(sub, ref):
    @properties(80)
    @given(st.awkward_sizes, st.fractions)
    def prop(n, frac):
        features, labels = _data(n)
        call = f"split_data(<{n} rows>, <{n} labels>, split_frac={frac!r})"
        got = _parts(sub, features, labels, frac, call)
        expected = ref.splits.split_data(features, labels, frac)
        expect(
            [len(p) for p in got],
            [len(p) for p in expected],
            f"{call}: the sizes",
            mistakes=_size_mistakes(n, frac),
        )
        for name, part, want in zip(NAMES, got, expected, strict=True):
            expect(np.asarray(part), want, f"{call}: {name}")

    prop()


def parts_reassemble_in_order(sub, ref):
    for n, frac in ((10, 0.8), (7, 0.5), (101, 0.9), (3, 0.34)):
        features, labels = _data(n)
        call = f"split_data(<{n} rows>, <{n} labels>, split_frac={frac})"
        got = _parts(sub, features, labels, frac, call)
        expect(np.concatenate(got[0::2]).reshape(-1, 2), features, f"{call}: x parts joined")
        expect(np.concatenate(got[1::2]), labels, f"{call}: y parts joined")


def refuses_bad_fractions(sub, ref):
    features, labels = _data(10)
    for frac in (0, 1, -0.5, 1.5, float("nan")):
        expect_raises(
            "ValueError",
            lambda f=frac: sub.splits.split_data(features, labels, f),
            f"split_data(<10 rows>, <10 labels>, split_frac={frac!r})",
        )


def refuses_mismatched_lengths(sub, ref):
    features, _ = _data(10)
    expect_raises(
        "ValueError",
        lambda: sub.splits.split_data(features, np.zeros(9), 0.8),
        "split_data(<10 rows>, <9 labels>)",
    )
