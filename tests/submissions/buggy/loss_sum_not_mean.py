"""loses: rnn_forward. The sheet's loss: divides the sum by y.shape[0], which is 1.
names: the sum over records
"""

import numpy as np


def rnn_loss(X, Y, U, W, V):
    loss = 0.0
    for x, y in zip(X, Y, strict=True):
        y_hat, _ = rnn_forward(x, U, W, V)
        loss += 0.5 * float(np.sum((y_hat[:, 0] - y) ** 2))
    return loss / float(y.shape[0])
