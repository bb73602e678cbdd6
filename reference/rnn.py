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
    of ``U``. The sheet's prediction code computes ``np.dot(U, x)`` at every
    step: which elements of ``x`` does that let step ``t`` see, and which does
    the model above?
    """
    # BEGIN SOLUTION
    # sigmoid(z) = (1 + tanh(z / 2)) / 2. Writing s_t = (1 + r_t) / 2 turns the
    # recurrence into r_t = tanh(W/4 @ r_{t-1} + U[:, t] x[t] / 2 + W @ 1 / 4),
    # r_{-1} = -1: one numpy call per step where the sigmoid costs four. The
    # input terms ("drive") are computed for all t at once.
    T, hidden_dim = np.size(x), W.shape[0]
    drive = (0.5 * U * np.reshape(x, (1, -1)) + 0.25 * W.sum(axis=1, keepdims=True)).T  # (T, h)
    quarter_W = 0.25 * W
    r = np.empty((T + 1, hidden_dim))
    r[0] = -1.0
    for t in range(T):
        r[t + 1] = np.tanh(quarter_W @ r[t] + drive[t])
    states = (0.5 + 0.5 * r)[:, :, None]  # states[t + 1] is s_t, shape (hidden_dim, 1)
    layers = [{"s": states[t + 1], "prev_s": states[t]} for t in range(T)]
    return V @ states[T], layers
    # END SOLUTION


def rnn_loss(X: np.ndarray, Y: np.ndarray, U: np.ndarray, W: np.ndarray, V: np.ndarray) -> float:
    """The MEAN squared-error loss over a data set.

    Args:
        X: ``(N, T, 1)``, N >= 1 records. Y: ``(N, output_dim)``, their targets.
        U, W, V: the weights (shapes in the module docstring).

    Returns:
        ``(1 / N) * sum_i 0.5 * sum((y_hat_i - Y[i]) ** 2)`` as a float (a numpy
        scalar is fine): the MEAN over the N records. The lab sheet divides
        its sum by ``y.shape[0]``: what is that number for the ``y`` of one
        record, and what does the sheet's loss then report?
    """
    # BEGIN SOLUTION
    X = np.asarray(X)
    Y = np.reshape(Y, (len(X), -1))
    # All records at once: hidden states are the columns of S, shape (hidden_dim, N).
    S = np.zeros((W.shape[0], len(X)))
    for t in range(X.shape[1]):
        S = sigmoid(W @ S + U[:, t : t + 1] * X[:, t, 0])
    residual = (V @ S).T - Y
    return float(0.5 * np.sum(residual**2) / len(X))
    # END SOLUTION


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
    # BEGIN SOLUTION
    return [np.clip(g, min_value, max_value) for g in grads]
    # END SOLUTION


def rnn_backward(
    x: np.ndarray,
    y: np.ndarray,
    U: np.ndarray,
    W: np.ndarray,
    V: np.ndarray,
    layers: list[dict[str, np.ndarray]],
    bptt_truncate: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradient of one record's loss ``L`` with respect to ``U``, ``W`` and ``V``.

    ``L = 0.5 * sum((y_hat - y) ** 2)``, where ``y_hat = V @ s_{T-1}`` is the
    prediction of the forward pass that made ``layers`` (the module docstring
    defines the states ``s_t``). The model has ONE output, at the last time
    step: ``L`` depends on the weights only through ``y_hat``.

    ``dV`` is ``dL/dV``. ``W`` and ``U`` act at every time step, so their
    gradients are sums over the steps: call ``W_t`` the ``W`` that step ``t``
    uses (in ``s_t``), so that ``dL/dW = sum over t = 0..T-1 of dL/dW_t``,
    each term counting every effect of step ``t``'s use on ``L``, through all
    the later states. Column ``t`` of ``U`` is used by step ``t`` alone.

    Truncation keeps the contributions of the LAST ``k = bptt_truncate`` time
    steps, ``t = T-k, ..., T-1``, each one exact, and drops those of the
    earlier steps:

        dW       = sum over t = T-k..T-1 of dL/dW_t
        dU[:, t] = dL/dU[:, t]  for t >= T-k,  and 0 for t < T-k
        dV       = dL/dV        (V is used once, at the end: never truncated)

    Equivalently: the gradient of ``L`` with the state ``s_{T-k-1}`` that
    enters step ``T-k`` held constant. ``bptt_truncate=None``, or any value
    >= T, keeps every step: the result is then the exact gradient of ``L``,
    and central differences of ``L`` agree with it to a relative error below
    1e-6 in float64.

    The lab sheet's printed backward pass is wrong in several places: do not
    copy it. Hold each of its lines against the definition above and ask:

    - the sheet writes the sigmoid's derivative as ``add * (1 - add)``: check
      what your derivative of the sigmoid is applied to;
    - what are the sheet's ``dW_i`` and ``dU_i`` products of, and does either
      product depend on the loss at all?
    - which of the sheet's accumulators are ever reset, and what do they add
      up from one time step to the next?
    - at how many time steps does the sheet inject the output error
      ``dmulv``, and how many outputs does this model have?
    - count the time steps whose contributions your truncation keeps: is it
      ``bptt_truncate``?

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
    # BEGIN SOLUTION
    T = len(layers)
    if bptt_truncate is None:
        steps = T
    elif bptt_truncate < 1:
        raise ValueError(f"bptt_truncate must be at least 1 (or None), not {bptt_truncate!r}")
    else:
        steps = min(int(bptt_truncate), T)
    x = np.reshape(x, -1)
    s_last = layers[-1]["s"]
    error = V @ s_last - np.reshape(y, (-1, 1))
    dV = error @ s_last.T
    delta = (V.T @ error) * s_last * (1 - s_last)
    # Collect the deltas and previous states of the kept steps, then form dW and
    # dU with one product each instead of one outer product per step.
    first = T - steps
    deltas = np.empty((W.shape[0], steps))
    prev_states = np.empty((W.shape[0], steps))
    for t in range(T - 1, first - 1, -1):
        prev_s = layers[t]["prev_s"]
        deltas[:, t - first] = delta[:, 0]
        prev_states[:, t - first] = prev_s[:, 0]
        delta = (W.T @ delta) * prev_s * (1 - prev_s)
    dW = deltas @ prev_states.T
    dU = np.zeros_like(U, dtype=float)
    dU[:, first:T] = deltas * x[first:T]
    return dU, dW, dV
    # END SOLUTION


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

    The sheet draws from ``uniform(0, 1)``. With a hundred hidden units, how
    large is ``W @ s`` then, and what is the sigmoid's slope there? Compare
    the training curves of a few ranges.
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
