"""Hidden tests of the ``softmax_gradient`` question: ``cross_entropy_grad``."""

import numpy as np
from hypothesis import given

from autograder import authoring

from ._strategies import batch, large_batches, naive_softmax, one_hot, softmax_over

RTOL, ATOL = 1e-6, 1e-10


def _grad_mistakes(z, y, expected) -> dict:
    n, c = z.shape
    p = softmax_over(z, 1)
    return {
        "the gradient of the summed loss, not the mean (no division by N)": expected * n,
        "a flipped sign": -expected,
        "leaving out the labels' term": p / n,
        "normalising over columns (axis 0) instead of rows": (softmax_over(z, 0) - one_hot(y, c))
        / n,
    }


def _student_grad(sub, z, y, what):
    return authoring.student_call(what, lambda: sub.softmax.cross_entropy_grad(z, y))


def gradient_matches_reference(sub, ref):
    @authoring.properties(40)
    @given(batch())
    def prop(zy):
        z, y = zy
        what = f"cross_entropy_grad of a random {z.shape} batch"
        got = _student_grad(sub, z, y, what)
        expected = ref.softmax.cross_entropy_grad(z, y)
        authoring.expect(
            got, expected, what, rtol=RTOL, atol=ATOL, mistakes=_grad_mistakes(z, y, expected)
        )

    prop()


def gradient_matches_central_differences(sub, ref) -> str:
    worst = 0.0
    for seed, (n, c) in enumerate(((1, 2), (5, 3), (8, 10), (16, 4))):
        rng = np.random.default_rng(100 + seed)
        z, y = rng.normal(0, 2, (n, c)), rng.integers(0, c, n)
        what = f"cross_entropy_grad of a random {z.shape} batch"
        got = authoring.expect_structure(
            _student_grad(sub, z, y, what), authoring.Array(z.shape), what
        )
        logits = z.copy()
        numeric = authoring.numerical_gradient(
            lambda logits=logits, y=y: ref.softmax.cross_entropy(logits, y), logits
        )
        error = authoring.relative_error(got, numeric)
        if not error < 1e-6:  # not a number fails too
            raise authoring.CheckFailure(
                f"{what}: the gradient check fails, relative error {error:.2e} between your "
                "gradient and central differences of the loss (expected below 1e-6)"
            )
        worst = max(worst, error)
    return f"largest relative error against central differences: {worst:.1e}"


def gradient_stable_for_large_logits(sub, ref):
    for z, y in large_batches():
        what = (
            f"cross_entropy_grad of a {z.shape} batch with logits up to {np.abs(z).max():g}, "
            f"labels {y.tolist()}"
        )
        got = _student_grad(sub, z, y, what)
        n, c = z.shape
        authoring.expect(
            got,
            ref.softmax.cross_entropy_grad(z, y),
            what,
            rtol=RTOL,
            atol=ATOL,
            mistakes={
                "overflow in exp (nan where exp(z) is inf)": (naive_softmax(z) - one_hot(y, c)) / n
            },
        )


def gradient_refuses_bad_input(sub, ref):
    z = np.random.default_rng(7).normal(0, 1, (4, 3))
    cases = (
        (z, np.array([0, 3, 1, 2]), "a (4, 3) batch (C = 3) with a label equal to C"),
        (z, np.array([0, 1, -1, 2]), "a (4, 3) batch with a negative label"),
        (z, np.array([0, 1, 2]), "a (4, 3) batch with 3 labels"),
        (z[0], np.array([0]), "a 1-D array of logits"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), "an empty (0, 3) batch"),
    )
    for zz, y, name in cases:
        authoring.expect_raises(
            "ValueError",
            lambda zz=zz, y=y: sub.softmax.cross_entropy_grad(zz, y),
            f"cross_entropy_grad of {name}",
        )
