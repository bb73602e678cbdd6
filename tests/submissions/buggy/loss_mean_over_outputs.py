"""loses: rnn_forward. Takes the mean over every output value: divides by the outputs too.
names: averaging over the outputs as well as over the records
"""

import numpy as np


def rnn_loss(X, Y, U, W, V):
    residuals = []
    for x, y in zip(X, Y, strict=True):
        y_hat, _ = rnn_forward(x, U, W, V)
        residuals.append(y_hat[:, 0] - y)
    return 0.5 * float(np.mean(np.square(residuals)))
