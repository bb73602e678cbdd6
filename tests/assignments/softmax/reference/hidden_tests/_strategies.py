"""Hypothesis strategies and numpy helpers shared by the softmax checks."""

import numpy as np
from hypothesis import strategies as st

SCALES = (0.1, 1.0, 5.0, 20.0)
"""Spreads of the random logits: small enough that a plain exp neither overflows nor
rounds a probability to 0 (the stability tests use larger logits, on purpose)."""


@st.composite
def batch(draw, max_n: int = 8, max_c: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Logits ``z`` (N, C) in float64 and labels ``y`` (N,) in [0, C); N, C >= 1."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(1, max_c))
    scale = draw(st.sampled_from(SCALES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.normal(0, scale, (n, c)), rng.integers(0, c, n)


def logits(max_n: int = 8, max_c: int = 6) -> st.SearchStrategy:
    """Logits ``z`` (N, C) alone."""
    return batch(max_n, max_c).map(lambda zy: zy[0])


LARGE_LOGITS = (
    np.array([[1000.0, 1000.0]]),
    np.array([[-1000.0, -1000.0, -1000.0]]),
    np.array([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4 - 1]]),
    np.array([[-1e4, -1e4 + 2.0], [800.0, -800.0]]),
    np.random.default_rng(3).normal(0, 2000.0, (5, 4)),
)
"""Logits up to 1e4 in absolute value, where a plain exp overflows or rounds to 0."""


def large_batches() -> list[tuple[np.ndarray, np.ndarray]]:
    """``LARGE_LOGITS`` with labels, some on the smallest logit of their row (a tiny
    probability, whose log is large but finite)."""
    out = []
    for z in LARGE_LOGITS:
        smallest = z.argmin(axis=1)
        largest = z.argmax(axis=1)
        out += [(z, smallest), (z, largest)]
    return out


def one_hot(y: np.ndarray, c: int) -> np.ndarray:
    out = np.zeros((len(y), c))
    out[np.arange(len(y)), y] = 1.0
    return out


def softmax_over(z: np.ndarray, axis: int) -> np.ndarray:
    """A stable softmax along ``axis`` (axis 0 is the known mistake)."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def naive_softmax(z: np.ndarray) -> np.ndarray:
    """``exp(z) / sum(exp(z))`` as written, with its overflows (nan, inf)."""
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def mean_nll(p: np.ndarray, y: np.ndarray) -> float:
    """The mean of ``-log p[i, y[i]]``, as written (``inf`` where p rounds to 0)."""
    with np.errstate(all="ignore"):
        return float(np.mean(-np.log(p[np.arange(len(y)), y])))
