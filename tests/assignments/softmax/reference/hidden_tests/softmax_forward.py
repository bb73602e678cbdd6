"""Hidden tests of the ``softmax_forward`` question: ``softmax`` and ``cross_entropy``."""

import math

import numpy as np
from hypothesis import given

from autograder import authoring

from ._strategies import batch, large_batches, logits, mean_nll, naive_softmax, softmax_over

RTOL, ATOL = 1e-6, 1e-9


def _softmax_mistakes(z: np.ndarray) -> dict:
    return {
        "normalising over columns (axis 0) instead of rows": softmax_over(z, 0),
        "normalising over the whole array instead of each row": np.exp(z - z.max())
        / np.exp(z - z.max()).sum(),
        "the exponentials without normalising": np.exp(z),
    }


def softmax_matches_reference(sub, ref):
    @authoring.properties(40)
    @given(logits())
    def prop(z):
        what = f"softmax of a random {z.shape} array"
        got = authoring.student_call(what, lambda: sub.softmax.softmax(z))
        authoring.expect(
            got, ref.softmax.softmax(z), what, rtol=RTOL, atol=ATOL, mistakes=_softmax_mistakes(z)
        )

    prop()


def stable_for_large_logits(sub, ref):
    for z in (z for z, _ in large_batches()[::2]):
        what = f"softmax of a {z.shape} array with logits up to {np.abs(z).max():g}"
        got = authoring.student_call(what, lambda z=z: sub.softmax.softmax(z))
        authoring.expect(
            got,
            ref.softmax.softmax(z),
            what,
            rtol=RTOL,
            atol=ATOL,
            mistakes={"overflow in exp (nan where exp(z) is inf)": naive_softmax(z)},
        )


def _ce_mistakes(z, y, expected):
    n = len(z)
    return {
        "the sum over the batch instead of the mean": expected * n,
        "a flipped sign": -expected,
        "normalising over columns (axis 0) instead of rows": mean_nll(softmax_over(z, 0), y),
        "-log of the exponentials without normalising": mean_nll(np.exp(z), y),
    }


def _as_float(got):
    if isinstance(got, np.ndarray) and got.size == 1:
        return float(got.reshape(()))
    return got


def cross_entropy_matches_reference(sub, ref):
    @authoring.properties(40)
    @given(batch())
    def prop(zy):
        z, y = zy
        what = f"cross_entropy of a random {z.shape} batch"
        got = _as_float(authoring.student_call(what, lambda: sub.softmax.cross_entropy(z, y)))
        expected = ref.softmax.cross_entropy(z, y)
        authoring.expect(
            got, expected, what, rtol=RTOL, atol=ATOL, mistakes=_ce_mistakes(z, y, expected)
        )

    prop()


def cross_entropy_stable_for_large_logits(sub, ref):
    for z, y in large_batches():
        what = (
            f"cross_entropy of a {z.shape} batch with logits up to {np.abs(z).max():g}, "
            f"labels {y.tolist()}"
        )
        got = _as_float(
            authoring.student_call(what, lambda z=z, y=y: sub.softmax.cross_entropy(z, y))
        )
        if isinstance(got, float) and not math.isfinite(got):
            raise authoring.CheckFailure(
                f"{what}: got {got}, where the loss is finite: an overflow in exp, or the log "
                "of a probability that rounded to 0"
            )
        authoring.expect(got, ref.softmax.cross_entropy(z, y), what, rtol=RTOL, atol=ATOL)


def refuses_bad_labels(sub, ref):
    z = np.random.default_rng(5).normal(0, 1, (4, 3))
    cases = {
        "a label equal to C": np.array([0, 3, 1, 2]),
        "a label past C": np.array([7, 0, 1, 2]),
        "a negative label": np.array([0, 1, -1, 2]),
    }
    for name, y in cases.items():
        authoring.expect_raises(
            "ValueError",
            lambda y=y: sub.softmax.cross_entropy(z, y),
            f"cross_entropy of a (4, 3) batch (C = 3) with {name}, y = {y.tolist()}",
        )


def refuses_bad_shapes(sub, ref):
    z = np.random.default_rng(6).normal(0, 1, (4, 3))
    for bad in (z[0], z[None]):
        authoring.expect_raises(
            "ValueError",
            lambda bad=bad: sub.softmax.softmax(bad),
            f"softmax of a {bad.ndim}-D array",
        )
    for y, name in ((np.array([0, 1, 2]), "3 labels"), (np.array([0, 1, 2, 0, 1]), "5 labels")):
        authoring.expect_raises(
            "ValueError",
            lambda y=y: sub.softmax.cross_entropy(z, y),
            f"cross_entropy of a (4, 3) batch with {name}",
        )
    authoring.expect_raises(
        "ValueError",
        lambda: sub.softmax.cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        "cross_entropy of an empty (0, 3) batch",
    )
