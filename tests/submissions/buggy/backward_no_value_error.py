"""loses: rnn_backward. Never raises ValueError for bptt_truncate < 1 (0 keeps no step).

A public ``pytest.raises`` meets a function that does not raise: a verdict, not a crash.
"""

import numpy as np


def rnn_backward(
    x: np.ndarray,
    y: np.ndarray,
    U: np.ndarray,
    W: np.ndarray,
    V: np.ndarray,
    layers: list[dict[str, np.ndarray]],
    bptt_truncate: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    T = len(layers)
    if bptt_truncate is None:
        steps = T
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
