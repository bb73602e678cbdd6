"""loses: rnn_forward. The sheet's prediction code: feeds all of x at every step.
names: the sheet's prediction code
fails: forward_matches_reference layers_match_reference
"""

import numpy as np


def rnn_forward(x, U, W, V):
    s = np.zeros((W.shape[0], 1))
    layers = []
    for _ in range(len(x)):
        prev_s, s = s, 1 / (1 + np.exp(-(W @ s + U @ x)))
        layers.append({"s": s, "prev_s": prev_s})
    return V @ s, layers
