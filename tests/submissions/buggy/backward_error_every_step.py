"""loses: rnn_backward. Adds the output error at every step, though only the last has an output.
names: injecting the output error at every time step, as if each step had an output
"""

import numpy as np


def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    T = len(layers)
    k = T if bptt_truncate is None else bptt_truncate
    if k < 1:
        raise ValueError("bptt_truncate must be at least 1")
    x, y = np.reshape(x, -1), np.reshape(y, (-1, 1))
    s_last = layers[-1]["s"]
    error = V @ s_last - y
    dV = error @ s_last.T
    dU, dW = np.zeros(U.shape), np.zeros(W.shape)
    delta = (V.T @ error) * s_last * (1 - s_last)
    for t in range(T - 1, max(0, T - k) - 1, -1):
        prev_s = layers[t]["prev_s"]
        dW += delta @ prev_s.T
        dU[:, t : t + 1] += delta * x[t]
        delta = (W.T @ delta) * prev_s * (1 - prev_s)
        delta = delta + (V.T @ (V @ prev_s - y)) * prev_s * (1 - prev_s)
    return dU, dW, dV
