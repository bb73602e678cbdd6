"""loses: rnn_forward. Leaves out the 0.5 of the squared error.
names: leaving out the 0.5
"""

import numpy as np


def rnn_loss(X, Y, U, W, V):
    total = 0.0
    for x, y in zip(X, Y, strict=True):
        y_hat, _ = rnn_forward(x, U, W, V)
        total += float(np.sum((y_hat[:, 0] - y) ** 2))
    return total / len(X)
