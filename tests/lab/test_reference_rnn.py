"""The reference numpy RNN meets the contract (../shared/spec/assignment.md)."""

import numpy as np
import pytest

from autograder import authoring
from reference import rnn


def problem(T=6, hidden_dim=5, output_dim=2, scale=0.3, seed=0):
    """A record and weights N(0, scale): small enough to keep the sigmoids unsaturated.

    (With the sheet's uniform(0, 1) weights and 100 hidden units, s(1 - s) is
    about 1e-22 and central differences measure only rounding noise.)
    """
    rng = np.random.default_rng(seed)
    U = rng.normal(0, scale, (hidden_dim, T))
    W = rng.normal(0, scale, (hidden_dim, hidden_dim))
    V = rng.normal(0, scale, (output_dim, hidden_dim))
    return rng.normal(0, 1, (T, 1)), rng.normal(0, 1, (output_dim, 1)), U, W, V


def contract_forward(x, U, W, V):
    """The contract's forward pass, literally."""
    s = np.zeros((W.shape[0], 1))
    states = [s]
    for t in range(len(x)):
        s = 1 / (1 + np.exp(-(W @ s + U[:, t : t + 1] * x[t])))
        states.append(s)
    return V @ s, states


def contract_backward(x, y, U, W, V, k):
    """The contract's pseudo-code for rnn_backward, literally."""
    T = len(x)
    y_hat, states = contract_forward(x, U, W, V)  # states[t + 1] is s_t
    dU, dW = np.zeros_like(U), np.zeros_like(W)
    dV = (y_hat - y) @ states[T].T
    delta = (V.T @ (y_hat - y)) * states[T] * (1 - states[T])
    for t in range(T - 1, max(0, T - (T if k is None else k)) - 1, -1):
        dW += delta @ states[t].T
        dU[:, t : t + 1] += delta * x[t]
        delta = (W.T @ delta) * states[t] * (1 - states[t])
    return dU, dW, dV


def loss_of(x, y, U, W, V):
    return 0.5 * np.sum((contract_forward(x, U, W, V)[0] - y) ** 2)


def numerical_gradient(x, y, U, W, V):
    return [authoring.numerical_gradient(lambda: loss_of(x, y, U, W, V), w) for w in (U, W, V)]


@pytest.mark.parametrize(
    "T, hidden_dim, output_dim", [(1, 1, 1), (6, 5, 2), (50, 100, 1), (9, 4, 3)]
)
def test_forward_matches_the_contract(T, hidden_dim, output_dim):
    x, _, U, W, V = problem(T, hidden_dim, output_dim)
    y_hat, layers = rnn.rnn_forward(x, U, W, V)
    expected, states = contract_forward(x, U, W, V)
    np.testing.assert_allclose(y_hat, expected, rtol=1e-12, atol=1e-14)
    assert y_hat.shape == (output_dim, 1) and len(layers) == T
    for t, layer in enumerate(layers):
        assert layer["s"].shape == layer["prev_s"].shape == (hidden_dim, 1)
        np.testing.assert_allclose(layer["prev_s"], states[t], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer["s"], states[t + 1], rtol=1e-12, atol=1e-14)


def test_forward_in_saturation_stays_finite():
    x, _, U, W, V = problem(T=50, hidden_dim=100, output_dim=1)
    U, W, V = np.abs(U) * 40, np.abs(W) * 40, np.abs(V)
    y_hat, layers = rnn.rnn_forward(x, U, W, V)
    assert np.all(np.isfinite(y_hat))
    np.testing.assert_allclose(y_hat, contract_forward(x, U, W, V)[0], rtol=1e-12)


@pytest.mark.parametrize("T, hidden_dim, output_dim", [(1, 1, 1), (6, 5, 2), (12, 30, 1)])
def test_full_bptt_matches_central_differences(T, hidden_dim, output_dim):
    x, y, U, W, V = problem(T, hidden_dim, output_dim)
    _, layers = rnn.rnn_forward(x, U, W, V)
    analytic = rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=None)
    for name, a, n in zip("UWV", analytic, numerical_gradient(x, y, U, W, V), strict=True):
        assert authoring.relative_error(a, n) < 1e-6, name


@pytest.mark.parametrize("k", [1, 2, "T-1", "T", "T+5", None])
def test_truncation_matches_the_contract(k):
    x, y, U, W, V = problem(T=7, hidden_dim=4, output_dim=2)
    T = len(x)
    k = eval(k, {"T": T}) if isinstance(k, str) else k
    _, layers = rnn.rnn_forward(x, U, W, V)
    got = rnn.rnn_backward(x, y.ravel(), U, W, V, layers, bptt_truncate=k)
    for a, b in zip(got, contract_backward(x, y, U, W, V, k), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    # Columns of dU older than the kept window stay zero.
    kept = T if k is None else min(k, T)
    assert np.all(got[0][:, : T - kept] == 0)


def test_truncation_below_1_raises():
    x, y, U, W, V = problem()
    _, layers = rnn.rnn_forward(x, U, W, V)
    for k in (0, -1):
        with pytest.raises(ValueError):
            rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=k)


def test_loss_is_the_mean_over_records():
    rng = np.random.default_rng(3)
    _, _, U, W, V = problem(T=6, hidden_dim=5, output_dim=2)
    X, Y = rng.normal(size=(4, 6, 1)), rng.normal(size=(4, 2))
    expected = np.mean([loss_of(x, y[:, None], U, W, V) for x, y in zip(X, Y, strict=True)])
    assert rnn.rnn_loss(X, Y, U, W, V) == pytest.approx(expected, rel=1e-12)


def test_clip_gradients_clips_both_sides_and_keeps_shapes():
    grads = [np.array([[-30.0, 3.0], [12.0, -10.0]]), np.array([0.1]), np.zeros((2, 3, 1))]
    clipped = rnn.clip_gradients(grads, -5.0, 5.0)
    assert [g.shape for g in clipped] == [g.shape for g in grads]
    assert clipped[0].tolist() == [[-5.0, 3.0], [5.0, -5.0]]
    assert clipped[1].tolist() == [0.1]
    assert grads[0][0, 0] == -30.0  # inputs untouched


def test_train_epoch_is_the_per_record_loop_and_leaves_inputs_alone():
    X, Y, _, _ = rnn.sine_data()
    X, Y = X[:5], Y[:5]
    U, W, V = rnn.init_weights(low=-0.3, high=0.3, seed=1)
    before = [U.copy(), W.copy(), V.copy()]
    new = rnn.train_epoch(
        X, Y, U, W, V, learning_rate=0.05, bptt_truncate=3, min_clip_value=-0.5, max_clip_value=0.5
    )
    expected = [U.copy(), W.copy(), V.copy()]
    for x, y in zip(X, Y, strict=True):
        grads = contract_backward(x, y[:, None], *expected, k=3)
        for weight, grad in zip(expected, grads, strict=True):
            weight -= 0.05 * np.clip(grad, -0.5, 0.5)
    for a, b, old, now in zip(new, expected, before, (U, W, V), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
        assert np.array_equal(old, now)


def test_sine_data_is_the_sheets():
    X, Y, X_val, Y_val = rnn.sine_data()
    assert (X.shape, Y.shape, X_val.shape, Y_val.shape) == (
        (100, 50, 1),
        (100, 1),
        (50, 50, 1),
        (50, 1),
    )
    wave = np.sin(np.arange(200))
    assert np.allclose(X[7, :, 0], wave[7:57]) and np.isclose(Y[7, 0], wave[57])
    assert np.allclose(X_val[-1, :, 0], wave[149:199]) and np.isclose(Y_val[-1, 0], wave[199])


def test_better_settings_learn_the_sine_wave():
    X, Y, X_val, Y_val = rnn.sine_data()
    weights = rnn.init_weights(low=-0.3, high=0.3, seed=0)
    _, history = rnn.train(X, Y, X_val, Y_val, weights, nepoch=12, learning_rate=1e-2)
    assert history[-1][1] < history[0][1] / 2
