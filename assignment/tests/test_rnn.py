"""Public tests for rnn.py, with a gradient check beside the backward pass.

Each clause the hidden tests grade has a test here, on a smaller case.
"""

import numpy as np
import pytest
from mistakes import (
    ERROR_EVERY_STEP,
    EXTRA_STEP,
    LOWER_CLIP,
    NO_HALF,
    SHEET_BACKWARD,
    SHEET_DERIVATIVE,
    SHEET_LOSS,
    TANH,
    UPPER_CLIP,
    gives,
    likely,
    sheet_backward,
)


def small_problem(T=4, hidden_dim=3, output_dim=2, seed=0):
    """Weights small enough that the sigmoids are not saturated."""
    rng = np.random.default_rng(seed)
    U = rng.normal(0, 0.5, (hidden_dim, T))
    W = rng.normal(0, 0.5, (hidden_dim, hidden_dim))
    V = rng.normal(0, 0.5, (output_dim, hidden_dim))
    x = rng.normal(0, 1, (T, 1))
    y = rng.normal(0, 1, (output_dim, 1))
    return x, y, U, W, V


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_forward_shapes_with_the_sheets_sizes(sub):
    x, _, U, W, V = small_problem(T=50, hidden_dim=100, output_dim=1)
    y_hat, layers = sub.rnn.rnn_forward(x, U, W, V)
    assert y_hat.shape == (1, 1)
    assert len(layers) == 50
    assert layers[0]["prev_s"].shape == (100, 1)
    assert np.all(layers[0]["prev_s"] == 0)
    assert np.array_equal(layers[1]["prev_s"], layers[0]["s"])


def test_forward_one_step_by_hand(sub):
    U, W, V = np.array([[2.0]]), np.array([[5.0]]), np.array([[3.0]])
    y_hat, layers = sub.rnn.rnn_forward(np.array([[0.5]]), U, W, V)
    s0 = layers[0]["s"][0, 0]
    assert s0 == pytest.approx(sigmoid(1.0)), (  # 2 * 0.5, nothing from s_{-1}
        f"{gives(TANH)}." if s0 == pytest.approx(np.tanh(1.0)) else "layers[0]['s'], s_0"
    )
    assert y_hat[0, 0] == pytest.approx(3 * sigmoid(1.0))


def test_forward_two_steps_by_hand(sub):
    # Step 0 sees only x[0] (through U[:, 0]); step 1 sees s_0 (through W) and x[1] (U[:, 1]).
    U, W, V = np.array([[2.0, -1.0]]), np.array([[0.5]]), np.array([[3.0]])
    x = np.array([[1.0], [2.0]])
    s0 = sigmoid(2.0 * 1.0)
    s1 = sigmoid(0.5 * s0 - 1.0 * 2.0)
    y_hat, layers = sub.rnn.rnn_forward(x, U, W, V)
    got = [float(layers[0]["s"][0, 0]), float(layers[1]["s"][0, 0]), float(y_hat[0, 0])]
    whole_x = sigmoid(2.0 * 1.0 - 1.0 * 2.0)  # U @ x: all of x at step 0
    assert got == pytest.approx([s0, s1, 3 * s1]), (
        "This is what the sheet's prediction code gives (every step sees all of x, U @ x): "
        "step t sees only x[t], through column t of U."
        if got[0] == pytest.approx(whole_x)
        else "[s_0, s_1, y_hat]"
    )
    prev = float(layers[1]["prev_s"][0, 0])
    assert prev == pytest.approx(s0), "layers[1]['prev_s'] should be s_0"


def test_loss_is_a_mean_over_records(sub):
    # One step, worked by hand as above: y_hat = 3 * sigmoid(1) for every record.
    U, W, V = np.array([[2.0]]), np.array([[5.0]]), np.array([[3.0]])
    X = np.array([[[0.5]], [[0.5]]])
    Y = np.array([[0.0], [1.0]])
    y_hat = 3 * sigmoid(1.0)
    losses = [0.5 * (y_hat - 0.0) ** 2, 0.5 * (y_hat - 1.0) ** 2]
    one = sub.rnn.rnn_loss(X[:1], Y[:1], U, W, V)
    assert one == pytest.approx(losses[0]), (
        f"{gives(NO_HALF)}." if one == pytest.approx(2 * losses[0]) else "one record's loss"
    )
    got = sub.rnn.rnn_loss(X, Y, U, W, V)
    assert got == pytest.approx(np.mean(losses)), (
        f"{gives(SHEET_LOSS)}."
        if got == pytest.approx(sum(losses))
        else "the mean of the two records' losses"
    )


def test_loss_sums_over_outputs(sub):
    # Two outputs (V has two rows): 0.5 * the sum of both squared errors, for one record.
    U, W, V = np.array([[2.0]]), np.array([[5.0]]), np.array([[3.0], [1.0]])
    X, Y = np.array([[[0.5]]]), np.array([[0.0, 1.0]])
    s = sigmoid(1.0)
    expected = 0.5 * ((3 * s - 0.0) ** 2 + (s - 1.0) ** 2)
    got = sub.rnn.rnn_loss(X, Y, U, W, V)
    assert got == pytest.approx(expected), (
        "This is what averaging over the outputs as well as over the records gives."
        if got == pytest.approx(expected / 2)
        else "0.5 * sum((y_hat - y) ** 2) over both outputs"
    )


def test_clipping_both_sides(sub):
    clipped = sub.rnn.clip_gradients([np.array([-20.0, 0.5, 20.0]), np.array([[11.0]])])
    got = clipped[0].tolist()
    one_side = {UPPER_CLIP: [-20.0, 0.5, 10.0], LOWER_CLIP: [-10.0, 0.5, 20.0]}
    named = [name for name, answer in one_side.items() if got == answer]
    assert got == [-10.0, 0.5, 10.0], f"{gives(named[0])}." if named else "into [-10, 10]"
    assert clipped[1].tolist() == [[10.0]]


def test_backward_shapes(sub):
    x, y, U, W, V = small_problem()
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    dU, dW, dV = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=2)
    assert (dU.shape, dW.shape, dV.shape) == (U.shape, W.shape, V.shape)


def gradient_check(sub, x, y, U, W, V):
    """rnn_backward (bptt_truncate=None) against central differences of the loss: the
    relative errors above 1e-6 by name, the gradients of both, and the forward pass's layers."""

    def loss():
        return 0.5 * np.sum((sub.rnn.rnn_forward(x, U, W, V)[0] - y) ** 2)

    numeric = []
    for weight in (U, W, V):
        gradient = np.zeros_like(weight)
        for index in np.ndindex(weight.shape):
            kept = weight[index]
            weight[index] = kept + 1e-5
            plus = loss()
            weight[index] = kept - 1e-5
            minus = loss()
            weight[index] = kept
            gradient[index] = (plus - minus) / 2e-5
        numeric.append(gradient)
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    analytic = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=None)
    errors = {}
    for name, grad, approx in zip(("dU", "dW", "dV"), analytic, numeric, strict=True):
        error = float(np.abs(grad - approx).max() / max(np.abs(approx).max(), 1e-12))
        if not error < 1e-6:
            errors[name] = f"{error:.1e}"
    return errors, analytic, numeric, layers


def same(got, expected) -> bool:
    return all(
        np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-5, atol=1e-9)
        for a, b in zip(got, expected, strict=True)
    )


def test_gradient_check(sub):
    """Full BPTT equals the numerical gradient (central differences, float64): on one step,
    where the loss passes through a single sigmoid, and on four."""
    x, y, U, W, V = small_problem(T=1)
    one, analytic, numeric, _ = gradient_check(sub, x, y, U, W, V)
    # One step: the sigmoid's input is add = U * x[0] (s_{-1} is 0). Writing its slope as
    # add * (1 - add) scales each row of dU by add * (1 - add) over the sigmoid's slope there.
    add = U * x[0]
    slope = (sigmoid(add + 1e-5) - sigmoid(add - 1e-5)) / 2e-5
    derivative = same(analytic, [numeric[0] * add * (1 - add) / slope, numeric[1], numeric[2]])
    x, y, U, W, V = small_problem()
    four, analytic, _, layers = gradient_check(sub, x, y, U, W, V)
    printed = same(analytic, sheet_backward(x, y, U, W, V, layers))
    named = SHEET_BACKWARD if printed else SHEET_DERIVATIVE if derivative else None
    errors = {f"{name} (T=1)": e for name, e in one.items()}
    errors |= {f"{name} (T=4)": e for name, e in four.items()}
    cause = ""
    if errors and not named:
        # A record predicted exactly has no output error, so nothing to back-propagate.
        dU, dW, dV = sub.rnn.rnn_backward(x, V @ layers[-1]["s"], U, W, V, layers)
        if np.allclose(dV, 0, atol=1e-12) and not (
            np.allclose(dU, 0, atol=1e-12) and np.allclose(dW, 0, atol=1e-12)
        ):
            cause = (
                ". With y the prediction itself (no output error, the call above) dU or dW is "
                f"not 0. {likely(ERROR_EVERY_STEP)}"
            )
    assert errors == {}, (
        "with bptt_truncate=None the gradients should match central differences of the loss, "
        "on one step (T=1) and on four (T=4): the relative errors above 1e-6"
        + (f". {gives(named)}" if named else "")
        + cause
    )


def test_truncation_keeps_the_last_steps(sub):
    # With bptt_truncate=k, only the last k time steps get a gradient: dU's other columns are 0.
    x, y, U, W, V = small_problem(T=4)
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    for k in (1, 2, 3):
        dU, _, _ = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=k)
        touched = [t for t in range(4) if np.any(np.asarray(dU)[:, t] != 0)]
        assert touched == list(range(4 - k, 4)), (
            f"with bptt_truncate={k} and T=4, only the last {k} column(s) of dU get a gradient"
            + (f". {gives(EXTRA_STEP)}." if touched == list(range(3 - k, 4)) else "")
        )


def test_truncation_at_T_is_full_backpropagation(sub):
    x, y, U, W, V = small_problem(T=4)
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    full = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=None)
    for k in (4, 5):
        got = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=k)
        same = [np.allclose(a, b) for a, b in zip(got, full, strict=True)]
        assert same == [True, True, True], (
            f"bptt_truncate={k} with T=4 should give full back-propagation (bptt_truncate=None); "
            "which of dU, dW, dV agree"
        )


def test_y_may_be_flat(sub):
    x, y, U, W, V = small_problem(T=4, output_dim=2)
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    column = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=2)
    flat = sub.rnn.rnn_backward(x, y.ravel(), U, W, V, layers, bptt_truncate=2)
    shapes = [np.shape(g) for g in flat]
    assert shapes == [U.shape, W.shape, V.shape], "with y of shape (2,): the gradients' shapes"
    same = [np.allclose(a, b) for a, b in zip(flat, column, strict=True)]
    assert same == [True, True, True], (
        "y of shape (2,) and (2, 1) should give the same gradients; which of dU, dW, dV agree"
    )


def test_truncation_below_1_is_refused(sub):
    x, y, U, W, V = small_problem()
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    with pytest.raises(ValueError):
        sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=0)
