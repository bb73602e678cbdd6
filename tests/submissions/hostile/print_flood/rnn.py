"""Prints megabytes, then has nothing to offer."""

import sys

for _ in range(100_000):
    print("all work and no play makes jack a dull boy " * 5)
sys.stdout.flush()


def rnn_forward(x, U, W, V):
    print("x" * 10_000_000)
    raise RuntimeError("nothing here")


def rnn_loss(X, Y, U, W, V):
    raise RuntimeError("nothing here")


def clip_gradients(grads, min_value=-10.0, max_value=10.0):
    raise RuntimeError("nothing here")


def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    raise RuntimeError("nothing here")
