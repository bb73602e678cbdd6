"""Public tests for rnn.py, with a gradient check beside the backward pass."""

import numpy as np
import pytest


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
    assert layers[0]["s"][0, 0] == pytest.approx(sigmoid(1.0))  # 2 * 0.5, nothing from s_{-1}
    assert y_hat[0, 0] == pytest.approx(3 * sigmoid(1.0))


def test_loss_is_a_mean_over_records(sub):
    # One step, worked by hand as above: y_hat = 3 * sigmoid(1) for every record.
    U, W, V = np.array([[2.0]]), np.array([[5.0]]), np.array([[3.0]])
    X = np.array([[[0.5]], [[0.5]]])
    Y = np.array([[0.0], [1.0]])
    y_hat = 3 * sigmoid(1.0)
    losses = [0.5 * (y_hat - 0.0) ** 2, 0.5 * (y_hat - 1.0) ** 2]
    assert sub.rnn.rnn_loss(X[:1], Y[:1], U, W, V) == pytest.approx(losses[0])
    assert sub.rnn.rnn_loss(X, Y, U, W, V) == pytest.approx(np.mean(losses))


def test_clipping_both_sides(sub):
    clipped = sub.rnn.clip_gradients([np.array([-20.0, 0.5, 20.0]), np.array([[11.0]])])
    assert clipped[0].tolist() == [-10.0, 0.5, 10.0]
    assert clipped[1].tolist() == [[10.0]]


def test_backward_shapes(sub):
    x, y, U, W, V = small_problem()
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    dU, dW, dV = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=2)
    assert (dU.shape, dW.shape, dV.shape) == (U.shape, W.shape, V.shape)


def test_gradient_check(sub):
    """Full BPTT equals the numerical gradient (central differences, float64)."""
    x, y, U, W, V = small_problem()
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    analytic = sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=None)

    def loss():
        return 0.5 * np.sum((sub.rnn.rnn_forward(x, U, W, V)[0] - y) ** 2)

    for name, weight, grad in zip("UWV", (U, W, V), analytic, strict=True):
        numeric = np.zeros_like(weight)
        for index in np.ndindex(weight.shape):
            kept = weight[index]
            weight[index] = kept + 1e-5
            plus = loss()
            weight[index] = kept - 1e-5
            minus = loss()
            weight[index] = kept
            numeric[index] = (plus - minus) / 2e-5
        error = np.abs(grad - numeric).max() / max(np.abs(numeric).max(), 1e-12)
        assert error < 1e-6, f"d{name}: relative error {error:.2e}"


def test_truncation_below_1_is_refused(sub):
    x, y, U, W, V = small_problem()
    _, layers = sub.rnn.rnn_forward(x, U, W, V)
    with pytest.raises(ValueError):
        sub.rnn.rnn_backward(x, y, U, W, V, layers, bptt_truncate=0)
