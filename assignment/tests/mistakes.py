"""The known mistakes, in the words every check names them with.

A public test here and a hidden test after you submit name a known mistake in the
same words, taken from this file: "This is what <mistake> gives" when a result is
exactly what the mistake gives, "A likely cause: <mistake>" when it explains a
failure. A name says what was done, never what to do instead.

It also holds the lab sheet's printed backward pass, as printed (it is the sheet's,
and wrong): a check compares your gradients with what it gives.
"""

import numpy as np

SHEET_DERIVATIVE = (
    "the sheet's add * (1 - add), the derivative formula applied to the sigmoid's input"
)
SHEET_BACKWARD = "the lab sheet's printed backward pass"
SHEET_LOSS = "the sum over records (the sheet divides by y.shape[0], i.e. 1)"
EXTRA_STEP = "going back one step more than bptt_truncate"
LEAST_FREQUENT_FIRST = "the least frequent word first"
LAST_OCCURRENCE_TIES = "ties broken by the last occurrence"
DROPPED_EMPTY = "dropping the reviews that become empty"
ROUNDED_SPLIT = "rounding n * split_frac to the nearest integer"
TANH = "tanh in place of the sigmoid"
NO_HALF = "leaving out the 0.5"
ERROR_EVERY_STEP = "injecting the output error at every time step, as if each step had an output"
SUM_OF_SQUARES = "the sum of the squares over the rows"
ROOT_MSE = "the root of the mean squared error"
HALF_MSE = "half the mean squared error"
CORRECT_COUNT = "the count of correct rows"
UPPER_CLIP = "clipping only values above max_value"
LOWER_CLIP = "clipping only values below min_value"
NEEDS_FEED = (
    "initial_state needs a feed: it is not the zero state for batch_size rows (a batch size "
    "taken from inputs_, say, cannot be evaluated without a feed)"
)
DROPOUT_REACH = (
    "the dropout reaches more than the cell's outputs (keep_prob is dropout on the cell's "
    "outputs only, not on its inputs or state)"
)
SHARED_CELL = (
    "MultiRNNCell([drop] * lstm_layers) repeats one cell object, so its layers share (or "
    "cannot share) one set of weights"
)


def gives(mistake: str) -> str:
    """How a check names a mistake whose result it got exactly."""
    return f"This is what {mistake} gives"


def ignored(parameter: str) -> str:
    """The mistake of a graph that is the same whatever ``parameter`` says."""
    return f"{parameter} is ignored"


def likely(mistake: str) -> str:
    """How a check names a mistake that explains a failure."""
    return f"A likely cause: {mistake}"


def sheet_backward(x, y, U, W, V, layers, bptt_truncate=None):
    """What the lab sheet's printed backward pass computes for one record: ``(dU, dW, dV)``
    (only its lines that reach them are here, unchanged).

    ``mulv`` is what the sheet's forward loop leaves behind: the last step's prediction.
    """
    T = len(layers)
    k = T if bptt_truncate is None else bptt_truncate
    y = np.reshape(y, (-1, 1))
    mulv = V @ layers[-1]["s"]
    dU, dV, dW = np.zeros(U.shape), np.zeros(V.shape), np.zeros(W.shape)
    dU_t, dW_t = np.zeros(U.shape), np.zeros(W.shape)
    dmulv = mulv - y
    for t in range(T):
        dV_t = np.dot(dmulv, np.transpose(layers[t]["s"]))
        for _ in range(t - 1, max(-1, t - k - 1), -1):
            new_input = np.zeros(x.shape)
            new_input[t] = x[t]
            dU_t = dU_t + np.dot(U, new_input)
            dW_t = dW_t + np.dot(W, layers[t]["prev_s"])
        dV, dU, dW = dV + dV_t, dU + dU_t, dW + dW_t
    return dU, dW, dV
