"""loses: rnn_backward. The contract's loop, but with the sheet's add * (1 - add) derivative.
names: the sheet's add * (1 - add), the derivative formula applied to the sigmoid's input
"""

import numpy as np


def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    T = len(layers)
    k = T if bptt_truncate is None else bptt_truncate
    if k < 1:
        raise ValueError("bptt_truncate must be at least 1")
    x, y = np.reshape(x, -1), np.reshape(y, (-1, 1))
    pre = [W @ layer["prev_s"] + U[:, t : t + 1] * x[t] for t, layer in enumerate(layers)]
    s_last = layers[-1]["s"]
    error = V @ s_last - y
    dV = error @ s_last.T
    dU, dW = np.zeros(U.shape), np.zeros(W.shape)
    delta = (V.T @ error) * pre[-1] * (1 - pre[-1])
    for t in range(T - 1, max(0, T - k) - 1, -1):
        dW += delta @ layers[t]["prev_s"].T
        dU[:, t : t + 1] += delta * x[t]
        delta = (W.T @ delta) * (pre[t - 1] * (1 - pre[t - 1]) if t else 0)
    return dU, dW, dV
