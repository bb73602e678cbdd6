"""Numpy helpers the hidden tests share."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


BANDS = (
    (1e-7, "good"),
    (1e-4, "okay only where the loss has kinks; too high here"),
    (1e-2, "suspicious"),
    (float("inf"), "wrong"),
)
"""CS231n's reading of a gradient check's relative error."""


def gradient_band(error: float) -> str:
    """CS231n's reading of ``error``; not a number (a gradient of NaN or inf) is wrong."""
    return next((label for limit, label in BANDS if error < limit), BANDS[-1][1])


def make_weights(config: dict, seed: int = 0) -> dict:
    """Random float32 weights for the contract's architecture, in the probes' format."""
    rng = np.random.default_rng(seed)
    h, e = config["lstm_size"], config["embed_size"]

    def draw(*shape, scale=0.4):
        return rng.uniform(-scale, scale, shape).astype(np.float32)

    def kernel(rows):  # wide layers get smaller weights, so float32 stays close to numpy
        return draw(rows, 4 * h, scale=min(0.4, 2 / np.sqrt(rows)))

    layers = [
        [kernel((e if i == 0 else h) + h), draw(4 * h, scale=0.1)]
        for i in range(config["lstm_layers"])
    ]
    return {
        "embedding": draw(config["n_words"], e, scale=1.0),
        "layers": layers,
        "dense": [draw(h, 1), draw(1, scale=0.1)],
    }


def lstm_forward(weights: dict, x: np.ndarray, state: list | None = None, forget_bias=1.0):
    """``BasicLSTMCell`` layers (gates i, j, f, o; forget bias 1) and a sigmoid unit, in numpy.

    Returns ``(predictions (batch, 1), outputs (batch, time, h), flat final state)``
    where the flat state is ``[c_0, h_0, c_1, h_1, ...]`` as ``tf.nest.flatten`` gives.
    """
    batch = x.shape[0]
    inputs = weights["embedding"][x].astype(np.float64)
    sizes = [bias.shape[0] // 4 for _, bias in weights["layers"]]
    if state is None:
        state = [np.zeros((batch, s)) for s in sizes for _ in "ch"]
    cs, hs = (
        [np.asarray(s, float) for s in state[0::2]],
        [np.asarray(s, float) for s in state[1::2]],
    )
    outputs = []
    for t in range(x.shape[1]):
        value = inputs[:, t]
        for i, (kernel, bias) in enumerate(weights["layers"]):
            gates = np.concatenate([value, hs[i]], axis=1) @ kernel + bias
            gi, gj, gf, go = np.split(gates, 4, axis=1)
            cs[i] = cs[i] * sigmoid(gf + forget_bias) + sigmoid(gi) * np.tanh(gj)
            hs[i] = np.tanh(cs[i]) * sigmoid(go)
            value = hs[i]
        outputs.append(value)
    kernel, bias = weights["dense"]
    predictions = sigmoid(value @ kernel + bias)
    flat = [a for pair in zip(cs, hs, strict=True) for a in pair]
    return predictions, np.stack(outputs, axis=1), flat
