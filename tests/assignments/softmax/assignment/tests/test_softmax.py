"""Public tests for softmax.py: a few worked cases. The grader runs more, on random inputs."""

import math

import numpy as np


def logits(N=5, C=4, seed=0):
    return np.random.default_rng(seed).normal(0, 2, (N, C))


def test_rows_sum_to_one(sub):
    z = logits()
    p = np.asarray(sub.softmax.softmax(z))
    assert p.shape == z.shape, f"softmax of a {z.shape} array gave shape {p.shape}"
    assert np.all((p >= 0) & (p <= 1)), f"softmax gave values outside [0, 1]:\n{p}"
    assert np.allclose(p.sum(axis=1), 1), f"rows of softmax sum to {p.sum(axis=1)}, not 1"
    # A larger logit gets a larger probability, in every row.
    assert np.array_equal(np.argsort(p, axis=1), np.argsort(z, axis=1)), (
        "softmax does not keep the order of the logits within a row"
    )


def test_uniform_logits_give_log_c(sub):
    # Every row's logits are equal (a different value in each row): every class is as
    # likely as any other, so the loss is -log(1 / C) = log C whatever the labels.
    C = 4
    z = np.repeat([[0.0], [2.5], [-7.0]], C, axis=1)
    y = np.array([0, 3, 1])
    p = np.asarray(sub.softmax.softmax(z))
    assert np.allclose(p, 1 / C), f"softmax of equal logits should be 1/{C} everywhere, got\n{p}"
    loss = sub.softmax.cross_entropy(z, y)
    assert isinstance(loss, float), f"cross_entropy returned {type(loss).__name__}, not a float"
    assert math.isclose(loss, math.log(C), rel_tol=1e-9), (
        f"cross_entropy of equal logits over {C} classes: expected log({C}) = "
        f"{math.log(C):.6f}, got {loss}"
    )


def test_gradient_shape(sub):
    z = logits(N=6, C=3, seed=1)
    y = np.array([0, 1, 2, 2, 1, 0])
    dz = np.asarray(sub.softmax.cross_entropy_grad(z, y))
    assert dz.shape == z.shape, f"gradient of a {z.shape} batch has shape {dz.shape}"
    assert np.issubdtype(dz.dtype, np.floating), f"the gradient has dtype {dz.dtype}, not float"
    assert np.all(np.isfinite(dz)), f"the gradient has non-finite values:\n{dz}"
