"""loses: nothing (rnn). Correct, textbook style: a loop of steps with its own sigmoid, the
loss through rnn_forward, clipping with np.minimum and np.maximum, and backpropagation through
time one np.outer at a time."""

import numpy as np


def rnn_forward(x, U, W, V):
    s = np.zeros((W.shape[0], 1))
    layers = []
    for t in range(len(x)):
        z = W @ s + U[:, [t]] * float(np.ravel(x)[t])
        new = 1.0 / (1.0 + np.exp(-z))
        layers.append({"s": new, "prev_s": s})
        s = new
    return V @ s, layers


def rnn_loss(X, Y, U, W, V):
    losses = []
    for x, y in zip(X, Y, strict=True):
        y_hat, _ = rnn_forward(x, U, W, V)
        losses.append(0.5 * np.sum((y_hat.ravel() - np.ravel(y)) ** 2))
    return float(np.mean(losses))


def clip_gradients(grads, min_value=-10.0, max_value=10.0):
    return [np.minimum(np.maximum(g, min_value), max_value) for g in grads]


def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    if bptt_truncate is not None and bptt_truncate < 1:
        raise ValueError("bptt_truncate must be at least 1")
    T = len(layers)
    keep = T if bptt_truncate is None else min(T, bptt_truncate)
    x = np.ravel(x)
    s = layers[-1]["s"]
    out_error = V @ s - np.reshape(y, (-1, 1))
    dV = np.outer(out_error, s)
    dU, dW = np.zeros(U.shape), np.zeros(W.shape)
    ds = V.T @ out_error
    for t in reversed(range(T - keep, T)):
        s_t, prev = layers[t]["s"], layers[t]["prev_s"]
        dz = ds * s_t * (1 - s_t)
        dW += np.outer(dz, prev)
        dU[:, t] += dz[:, 0] * x[t]
        ds = W.T @ dz
    return dU, dW, dV
