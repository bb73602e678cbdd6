"""Gradient checks (CS231n's): central differences and the relative error."""

from collections.abc import Callable

import numpy as np


def numerical_gradient(loss: Callable[[], float], weight: np.ndarray, step: float = 1e-5):
    """Central differences of ``loss()`` with respect to ``weight``, changed in place and
    restored: shape of ``weight``. ``loss`` reads ``weight`` (a float64 array) each call."""
    grad = np.zeros_like(weight)
    for index in np.ndindex(weight.shape):
        kept = weight[index]
        weight[index] = kept + step
        plus = loss()
        weight[index] = kept - step
        minus = loss()
        weight[index] = kept
        grad[index] = (plus - minus) / (2 * step)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The largest difference relative to the larger array's largest entry (NaN stays NaN)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-300))
