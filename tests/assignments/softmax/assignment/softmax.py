# Generated from the reference by `rnnlab stubs`: fill in the functions that
# raise NotImplementedError. Do not rename functions or change their signatures.
"""Softmax regression: class probabilities from logits, their cross-entropy loss, its gradient.

Shapes (CS231n's): a batch of logits ``z`` is ``(N, C)``, one row of C >= 1
class scores for each of N examples. Labels ``y`` are ``(N,)`` integers, the
correct class of each example, each in ``[0, C)``. Everything stays finite for
logits up to ``1e4`` in absolute value.
"""

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax: each row of logits becomes a probability distribution over classes.

    Args:
        z: logits, shape ``(N, C)``.

    Returns:
        ``p`` of shape ``(N, C)``, ``p[i, j] = exp(z[i, j]) / sum_k exp(z[i, k])``:
        every entry in ``[0, 1]``, every row summing to 1. Numerically stable:
        no ``nan`` or ``inf`` for logits up to ``1e4`` in absolute value (a row
        ``[1000, 1000]`` gives ``[0.5, 0.5]``).

    Raises:
        ValueError: if ``z`` is not 2-D.
    """
    raise NotImplementedError("softmax: your code here")


def cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    """The mean cross-entropy loss of a batch.

    Args:
        z: logits, shape ``(N, C)``, N >= 1.
        y: labels, shape ``(N,)``, integers in ``[0, C)``.

    Returns:
        ``(1 / N) * sum_i -log(softmax(z)[i, y[i]])`` as a Python float.
        Numerically stable: finite and accurate for logits up to ``1e4`` in
        absolute value, even where ``softmax(z)[i, y[i]]`` rounds to 0.

    Raises:
        ValueError: if ``z`` is not 2-D, if the batch is empty (N == 0), if
        ``len(y) != len(z)``, or if a label is outside ``[0, C)`` (negative
        labels included).
    """
    raise NotImplementedError("cross_entropy: your code here")


def cross_entropy_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The gradient of ``cross_entropy(z, y)`` with respect to the logits ``z``.

    Args:
        z: logits, shape ``(N, C)``, N >= 1.
        y: labels, shape ``(N,)``, integers in ``[0, C)``.

    Returns:
        ``dz`` of shape ``(N, C)``: ``dz[i, j]`` is the partial derivative of
        the mean loss ``cross_entropy(z, y)`` with respect to ``z[i, j]``.
        Numerically stable for logits up to ``1e4`` in absolute value.

    Raises:
        ValueError: in the same cases as ``cross_entropy``.
    """
    raise NotImplementedError("cross_entropy_grad: your code here")
