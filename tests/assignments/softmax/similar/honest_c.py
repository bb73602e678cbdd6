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
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise ValueError("softmax needs a 2-D input")
    z_max = z.max(axis=1, keepdims=True)
    e = np.exp(z - z_max)
    return e / e.sum(axis=1, keepdims=True)


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
    z = np.asarray(z, dtype=float)
    y = np.asarray(y)
    if z.ndim != 2:
        raise ValueError("z must be 2-D")
    if z.shape[0] == 0:
        raise ValueError("empty batch")
    if y.shape != (z.shape[0],) or y.dtype.kind not in "iu":
        raise ValueError("one integer label per example")
    if y.min() < 0 or y.max() >= z.shape[1]:
        raise ValueError("label outside [0, C)")
    log_p = z - z.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return -float(log_p[range(len(y)), y].mean())


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
    cross_entropy(z, y)  # raises on bad input
    z = np.asarray(z, dtype=float)
    grad = softmax(z)
    grad[np.arange(len(y)), y] -= 1.0
    grad /= len(y)
    return grad
