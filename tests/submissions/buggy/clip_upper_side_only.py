"""loses: rnn_forward. Clips only values above max_value.
names: clipping only values above max_value
"""

import numpy as np


def clip_gradients(grads, min_value=-10.0, max_value=10.0):
    return [np.minimum(g, max_value) for g in grads]
