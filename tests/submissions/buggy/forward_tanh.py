"""loses: rnn_forward. Squashes each step with tanh instead of the sigmoid.
names: tanh in place of the sigmoid
fails: forward_matches_reference layers_match_reference
"""

import numpy as np


def rnn_forward(x, U, W, V):
    s = np.zeros((W.shape[0], 1))
    layers = []
    for t in range(len(x)):
        prev_s, s = s, np.tanh(W @ s + U[:, t : t + 1] * x[t])
        layers.append({"s": s, "prev_s": prev_s})
    return V @ s, layers
