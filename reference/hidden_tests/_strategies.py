"""Small hypothesis strategies for the lab's inputs, composed by the checks."""

import numpy as np
from hypothesis import strategies as st

# Few words, so counts tie and words repeat; "x" and "y" often stay unknown to a vocabulary.
WORDS = ("the", "a", "movie", "film", "good", "bad", "plot", "it", "was", "x", "y")

words = st.sampled_from(WORDS)
spaces = st.sampled_from([" ", "  ", "\t", " \t "])


@st.composite
def review(draw, max_words: int = 10) -> str:
    """One review: words joined by assorted white space, maybe empty or blank."""
    tokens = draw(st.lists(words, max_size=max_words))
    joined = "".join(t + draw(spaces) for t in tokens)
    return draw(st.sampled_from([joined.strip(), joined, " " + joined]))


reviews = st.lists(review(), max_size=12)

LABEL_FORMS = (
    "positive",
    "negative",
    "Positive",
    "NEGATIVE",
    "pOsItIvE",
    " negative",
    "positive ",
    "\tpositive",
    "negative\r",
    "  Negative  ",
)
labels = st.lists(st.sampled_from(LABEL_FORMS), max_size=15)


def reviews_ints(max_len: int = 40) -> st.SearchStrategy:
    """Encoded reviews: lists of positive ints, some empty, some long."""
    return st.lists(st.lists(st.integers(1, 99_999), max_size=max_len), max_size=12)


awkward_sizes = st.one_of(st.integers(0, 12), st.sampled_from([99, 100, 101, 257, 1000]))
fractions = st.one_of(st.floats(0.01, 0.99), st.sampled_from([0.1, 0.29, 0.5, 0.7, 0.8, 0.9, 0.99]))


@st.composite
def rnn_problem(draw, n_records: int | None = None) -> dict:
    """A record (or N records) and weights N(0, 0.5) of random sizes, as float64 arrays."""
    T = draw(st.integers(1, 12))
    hidden_dim = draw(st.integers(1, 16))
    output_dim = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    problem = {
        "U": rng.normal(0, 0.5, (hidden_dim, T)),
        "W": rng.normal(0, 0.5, (hidden_dim, hidden_dim)),
        "V": rng.normal(0, 0.5, (output_dim, hidden_dim)),
        "x": rng.normal(0, 1, (T, 1)),
        "y": rng.normal(0, 1, (output_dim, 1)),
    }
    if n_records is not None:
        n = draw(st.integers(1, n_records))
        problem["X"] = rng.normal(0, 1, (n, T, 1))
        problem["Y"] = rng.normal(0, 1, (n, output_dim))
    return problem


@st.composite
def gradients(draw) -> tuple[list, float, float]:
    """A few arrays of assorted shapes and values, and clip bounds low < high."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shapes = draw(
        st.lists(st.sampled_from([(1,), (3,), (2, 3), (4, 1), (2, 2, 2)]), min_size=1, max_size=4)
    )
    scale = draw(st.sampled_from([1.0, 10.0, 100.0]))
    low = -draw(st.floats(0.1, 20))
    high = draw(st.floats(0.1, 20))
    return [rng.normal(0, scale, shape) for shape in shapes], low, high
