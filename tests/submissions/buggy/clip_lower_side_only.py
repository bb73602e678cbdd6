"""loses: rnn_forward. Clips only values below min_value.
names: clipping only values below min_value
"""

import numpy as np


def clip_gradients(grads, min_value=-10.0, max_value=10.0):
    return [np.maximum(g, min_value) for g in grads]
