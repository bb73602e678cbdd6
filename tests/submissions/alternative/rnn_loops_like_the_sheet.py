"""loses: nothing (rnn). Correct, in the sheet's own style: loops, new_input, np.dot, tuples."""

import numpy as np


def rnn_forward(x, U, W, V):
    T = x.shape[0]
    prev_s = np.zeros((W.shape[0], 1))
    layers = []
    for t in range(T):
        new_input = np.zeros(x.shape)
        new_input[t] = x[t]
        s = 1 / (1 + np.exp(-(np.dot(W, prev_s) + np.dot(U, new_input))))
        layers.append({"s": s, "prev_s": prev_s})
        prev_s = s
    return np.dot(V, s), layers


def rnn_loss(X, Y, U, W, V):
    total = 0.0
    for i in range(Y.shape[0]):
        y_hat, _ = rnn_forward(X[i], U, W, V)
        total += float(np.sum((Y[i].reshape(-1, 1) - y_hat) ** 2) / 2)
    return total / Y.shape[0]


def clip_gradients(grads, min_value=-10.0, max_value=10.0):
    clipped = []
    for g in grads:
        g = g.copy()
        g[g > max_value] = max_value
        g[g < min_value] = min_value
        clipped.append(g)
    return tuple(clipped)


def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    T = len(layers)
    if bptt_truncate is not None and bptt_truncate < 1:
        raise ValueError("bptt_truncate must be >= 1")
    k = T if bptt_truncate is None else bptt_truncate
    y = np.asarray(y).reshape(-1, 1)
    s_last = layers[T - 1]["s"]
    dmulv = np.dot(V, s_last) - y
    dV = np.dot(dmulv, s_last.T)
    dU, dW = np.zeros(U.shape), np.zeros(W.shape)
    delta = np.dot(V.T, dmulv) * s_last * (1 - s_last)
    for t in range(T - 1, max(0, T - k) - 1, -1):
        prev_s = layers[t]["prev_s"]
        dW += np.dot(delta, prev_s.T)
        for i in range(U.shape[0]):
            dU[i, t] += delta[i, 0] * x[t, 0]
        delta = np.dot(W.T, delta) * prev_s * (1 - prev_s)
    return dU, dW, dV
