# Generated from the reference by `rnnlab stubs`: fill in the functions that
# raise NotImplementedError. Do not rename functions or change their signatures.
"""Lab part 1: a recurrent network in numpy that predicts the next value of a sine wave.

Shapes (the lab sheet's): one record ``x`` is ``(T, 1)``; ``U`` is
``(hidden_dim, T)``, ``W`` is ``(hidden_dim, hidden_dim)``, ``V`` is
``(output_dim, hidden_dim)``. Hidden states are columns ``(hidden_dim, 1)``.

    s_t   = sigmoid(W @ s_{t-1} + U[:, t:t+1] * x[t])     s_{-1} = 0
    y_hat = V @ s_{T-1}                                    (output_dim, 1)
    L     = 0.5 * sum((y_hat - y) ** 2)

(``U[:, t:t+1] * x[t]`` is the sheet's ``np.dot(U, new_input)``, where
``new_input`` is all zeros except row ``t``.) Everything works for any
``T >= 1``, ``hidden_dim >= 1`` and ``output_dim >= 1``.
"""

from collections.abc import Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Provided: the logistic function ``1 / (1 + exp(-z))``, element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def rnn_forward(
    x: np.ndarray, U: np.ndarray, W: np.ndarray, V: np.ndarray
) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
    """Run the network over one record.

    Args:
        x: one record, shape ``(T, 1)``.
        U: ``(hidden_dim, T)``; W: ``(hidden_dim, hidden_dim)``;
        V: ``(output_dim, hidden_dim)``.

    Returns:
        ``(y_hat, layers)``:

        - ``y_hat``: the prediction ``V @ s_{T-1}``, shape ``(output_dim, 1)``.
        - ``layers``: a list of ``T`` dicts, ``layers[t] = {'s': s_t,
          'prev_s': s_{t-1}}``, each value of shape ``(hidden_dim, 1)``;
          ``layers[0]['prev_s']`` is all zeros. (This is the lab sheet's
          format; ``rnn_backward`` reads it.)

    Each step sees ONE element of the sequence, ``x[t]``, through column ``t``
    of ``U``. (The sheet's prediction code feeds the whole of ``x`` at every
    step: that is a bug, not the model.)
    """
    raise NotImplementedError("rnn_forward: your code here")


def rnn_loss(X: np.ndarray, Y: np.ndarray, U: np.ndarray, W: np.ndarray, V: np.ndarray) -> float:
    """The MEAN squared-error loss over a data set.

    Args:
        X: ``(N, T, 1)``, N >= 1 records. Y: ``(N, output_dim)``, their targets.
        U, W, V: the weights (shapes in the module docstring).

    Returns:
        ``(1 / N) * sum_i 0.5 * sum((y_hat_i - Y[i]) ** 2)`` as a float (a numpy
        scalar is fine). Note the mean over the N records: the lab sheet
        divides the sum by ``y.shape[0]``, which is 1, and so reports the sum.
    """
    raise NotImplementedError("rnn_loss: your code here")


def clip_gradients(
    grads: Sequence[np.ndarray], min_value: float = -10.0, max_value: float = 10.0
) -> list[np.ndarray]:
    """Clip every gradient element-wise into ``[min_value, max_value]``.

    Both sides are clipped: values above ``max_value`` become ``max_value``
    and values below ``min_value`` become ``min_value``.

    Args:
        grads: a sequence (list or tuple) of arrays of any shapes.

    Returns:
        A list of arrays, one per input, each of the same shape as its input.
    """
    raise NotImplementedError("clip_gradients: your code here")


def rnn_backward(
    x: np.ndarray,
    y: np.ndarray,
    U: np.ndarray,
    W: np.ndarray,
    V: np.ndarray,
    layers: list[dict[str, np.ndarray]],
    bptt_truncate: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Back-propagation through time for one record: the gradients of ``L``.

    The loss has ONE output, at the last time step. Its error signal enters
    there and flows backwards through the hidden states:

        dV    = (y_hat - y) @ s_{T-1}.T
        delta = (V.T @ (y_hat - y)) * s_{T-1} * (1 - s_{T-1})
        for t = T-1, T-2, ..., max(0, T - bptt_truncate):
            dW += delta @ s_{t-1}.T
            dU[:, t:t+1] += delta * x[t]
            delta = (W.T @ delta) * s_{t-1} * (1 - s_{t-1})

    where ``y_hat = V @ s_{T-1}`` comes from ``layers``. So truncation keeps the
    last ``bptt_truncate`` steps; ``bptt_truncate=None`` (or any value >= T)
    is full back-propagation and then equals the numerical gradient of ``L``.

    Warning: do not copy the lab sheet's printed backward pass. It is wrong in
    several places: check each of these against the formulas above before
    you write a line.

    - the derivative of the sigmoid: the sheet uses ``add * (1 - add)``; ask
      yourself what quantity the sigmoid's derivative is written in;
    - what ``dW_i`` and ``dU_i`` are multiplied by (a gradient is built from
      the error signal, not from the weights themselves);
    - which accumulators are reset, and when;
    - where the output error enters (how many outputs does this model have?).

    Args:
        x: the record, ``(T, 1)``. y: its target, ``(output_dim,)`` or
            ``(output_dim, 1)``.
        U, W, V: the weights the forward pass used.
        layers: what ``rnn_forward(x, U, W, V)`` returned (the grader may pass
            its own, correct, ``layers``).
        bptt_truncate: how many time steps to go back, counted from the last
            one; ``None`` for all of them.

    Returns:
        ``(dU, dW, dV)`` with the shapes of ``U``, ``W``, ``V``. Not clipped.

    Raises:
        ValueError: if ``bptt_truncate`` is less than 1.
    """
    raise NotImplementedError("rnn_backward: your code here")


# ----------------------------------------------------------------------------
# Provided: the data set and the training loop of the lab sheet, written to
# call the graded functions above.
# ----------------------------------------------------------------------------


def sine_data(
    n_points: int = 200, seq_len: int = 50, n_val: int = 50
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Provided: the lab sheet's sine-wave data set.

    ``sin(0), sin(1), ..., sin(n_points - 1)`` cut into windows of ``seq_len``
    values, each with the value that follows it as its target. The last
    ``n_val`` windows are the validation set.

    Returns:
        ``(X, Y, X_val, Y_val)``; with the defaults ``X`` is ``(100, 50, 1)``,
        ``Y`` ``(100, 1)``, ``X_val`` ``(50, 50, 1)``, ``Y_val`` ``(50, 1)``.
    """
    wave = np.sin(np.arange(n_points, dtype=float))
    windows = sliding_window_view(wave, seq_len + 1)  # (n_points - seq_len, seq_len + 1)
    X, Y = windows[:, :seq_len, None].copy(), windows[:, seq_len:].copy()
    return X[:-n_val], Y[:-n_val], X[-n_val:], Y[-n_val:]


def init_weights(
    hidden_dim: int = 100,
    T: int = 50,
    output_dim: int = 1,
    low: float = 0.0,
    high: float = 1.0,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Provided: ``U, W, V`` drawn uniformly from ``[low, high)``.

    The sheet's ``uniform(0, 1)`` makes ``W @ s`` sum a hundred positive
    terms, which drives the sigmoids into saturation; a small range centred
    on 0 (say ``-0.1, 0.1``) trains far better.
    """
    rng = np.random.default_rng(seed)
    U = rng.uniform(low, high, (hidden_dim, T))
    W = rng.uniform(low, high, (hidden_dim, hidden_dim))
    V = rng.uniform(low, high, (output_dim, hidden_dim))
    return U, W, V


def train_epoch(
    X: np.ndarray,
    Y: np.ndarray,
    U: np.ndarray,
    W: np.ndarray,
    V: np.ndarray,
    learning_rate: float = 1e-4,
    bptt_truncate: int | None = 5,
    min_clip_value: float = -10.0,
    max_clip_value: float = 10.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Provided: one pass of per-record gradient descent over ``X`` ``(N, T, 1)``, ``Y``.

    For each record in order: ``rnn_forward``, ``rnn_backward``,
    ``clip_gradients``, then a gradient step on each weight. Returns the new
    ``(U, W, V)``; the arrays passed in are not modified.
    """
    U, W, V = U.astype(float), W.astype(float), V.astype(float)  # copies
    for x, y in zip(X, Y, strict=True):
        _, layers = rnn_forward(x, U, W, V)
        grads = rnn_backward(x, y, U, W, V, layers, bptt_truncate)
        dU, dW, dV = clip_gradients(grads, min_clip_value, max_clip_value)
        U -= learning_rate * dU
        W -= learning_rate * dW
        V -= learning_rate * dV
    return U, W, V


def predict(X: np.ndarray, U: np.ndarray, W: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Provided: the predictions for ``X`` ``(N, T, 1)``, shape ``(N, output_dim)``."""
    return np.array([rnn_forward(x, U, W, V)[0][:, 0] for x in X])


def train(
    X: np.ndarray,
    Y: np.ndarray,
    X_val: np.ndarray,
    Y_val: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray],
    nepoch: int = 2,
    learning_rate: float = 1e-4,
    bptt_truncate: int | None = 5,
    min_clip_value: float = -10.0,
    max_clip_value: float = 10.0,
    on_epoch: Callable[[int, float, float], None] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[tuple[float, float]]]:
    """Provided: the lab sheet's training loop.

    Records the training and validation loss (``rnn_loss``) before training
    and after every epoch, and calls ``on_epoch(epoch, loss, val_loss)`` each
    time (epoch 0 is before training).

    Returns:
        ``((U, W, V), history)`` where ``history[e] = (loss, val_loss)``.
    """
    U, W, V = weights
    history = []
    for epoch in range(nepoch + 1):
        if epoch:
            U, W, V = train_epoch(
                X, Y, U, W, V, learning_rate, bptt_truncate, min_clip_value, max_clip_value
            )
        losses = rnn_loss(X, Y, U, W, V), rnn_loss(X_val, Y_val, U, W, V)
        history.append(losses)
        if on_epoch is not None:
            on_epoch(epoch, *losses)
    return (U, W, V), history
