"""Hidden tests of the ``lstm_graph`` question.

The submission's graph is built and run in the sandbox through ``probes``;
everything it reports is checked here against a numpy LSTM, so grading needs
no TensorFlow in the grader's process.
"""

import numpy as np

from autograder.checks import CheckFailure, expect, show, student_call

CONFIG = {  # the public tests' sizes: one graph serves both (graphs cost more than sessions)
    "n_words": 10,
    "lstm_size": 8,
    "lstm_layers": 1,
    "batch_size": 4,
    "learning_rate": 0.001,
    "embed_size": 6,
}
KEYS = frozenset(
    "graph inputs_ labels_ keep_prob embedding initial_state outputs final_state predictions "
    "cost optimizer accuracy".split()
)
"""The keys of the dict ``build_graph`` returns, per the contract."""
SHARED_CELL = (
    "each layer needs its own cell: MultiRNNCell([drop] * lstm_layers) repeats one "
    "cell, so the layers share (or cannot share) one set of weights"
)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def make_weights(config: dict, seed: int = 0) -> dict:
    """Random float32 weights for the contract's architecture, in the probes' format."""
    rng = np.random.default_rng(seed)
    h, e = config["lstm_size"], config["embed_size"]

    def draw(*shape, scale=0.4):
        return rng.uniform(-scale, scale, shape).astype(np.float32)

    layers = [
        [draw((e if i == 0 else h) + h, 4 * h), draw(4 * h, scale=0.1)]
        for i in range(config["lstm_layers"])
    ]
    return {
        "embedding": draw(config["n_words"], e, scale=1.0),
        "layers": layers,
        "dense": [draw(h, 1), draw(1, scale=0.1)],
    }


def lstm_forward(weights: dict, x: np.ndarray, state: list | None = None):
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
            cs[i] = cs[i] * _sigmoid(gf + 1.0) + _sigmoid(gi) * np.tanh(gj)
            hs[i] = np.tanh(cs[i]) * _sigmoid(go)
            value = hs[i]
        outputs.append(value)
    kernel, bias = weights["dense"]
    predictions = _sigmoid(value @ kernel + bias)
    flat = [a for pair in zip(cs, hs, strict=True) for a in pair]
    return predictions, np.stack(outputs, axis=1), flat


def _batch(config: dict, seed: int = 1, length: int = 9):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, config["n_words"], (config["batch_size"], length)).astype(np.int32)
    x[:, :2] = 0  # left padding, as the lab feeds it
    return x, rng.integers(0, 2, config["batch_size"]).astype(np.int32)


def _describe(sub, config: dict) -> dict:
    call = f"build_graph({', '.join(f'{k}={v}' for k, v in config.items())})"
    report = student_call(call, lambda: sub.probe.describe(config))
    if not isinstance(report, dict) or "keys" not in report:
        raise CheckFailure(f"{call}: could not be inspected")
    missing = KEYS - set(report["keys"])
    if missing:
        raise CheckFailure(f"{call}: the returned dict lacks {sorted(missing)}")
    return report


def placeholders(sub, ref):
    report = _describe(sub, CONFIG)
    for key, dtype, shapes in (
        ("inputs_", "int32", ([None, None],)),
        ("labels_", "int32", ([None, None],)),
        ("keep_prob", "float32", ([], None)),
    ):
        info = report[key]
        if info.get("op") != "Placeholder":
            raise CheckFailure(f"{key} should be a placeholder, it is a {info.get('op')} op")
        if info.get("dtype") != dtype:
            raise CheckFailure(f"{key} should be {dtype}, it is {info.get('dtype')}")
        if info.get("shape") not in shapes:
            raise CheckFailure(f"{key} should have shape {shapes[0]}, it has {info.get('shape')}")


def tensor_shapes(sub, ref):
    report = _describe(sub, CONFIG)
    h = CONFIG["lstm_size"]
    expect(
        report["embedding"]["shape"],
        [CONFIG["n_words"], CONFIG["embed_size"]],
        "the embedding's shape [n_words, embed_size]",
    )
    for key, rank, last in (("outputs", 3, h), ("predictions", 2, 1)):
        shape = report[key]["shape"]
        if shape is None or len(shape) != rank or shape[-1] != last:
            raise CheckFailure(
                f"{key} should have rank {rank} and last dimension {last}, not shape {shape}"
            )
    for key in ("cost", "accuracy"):
        expect(report[key]["shape"], [], f"{key} should be a scalar: its shape")
    x, y = _batch(CONFIG)
    result = student_call("one forward pass", lambda: sub.probe.forward(CONFIG, None, x, y))
    expect(
        result["outputs"].shape, (len(x), x.shape[1], h), f"outputs for a {x.shape} batch: shape"
    )
    expect(result["predictions"].shape, (len(x), 1), f"predictions for a {x.shape} batch: shape")
    p = result["predictions"]
    if not np.all((p > 0) & (p < 1)):
        raise CheckFailure(
            f"predictions should be probabilities in (0, 1), got {show(p)}: "
            "a dense layer with a sigmoid activation"
        )


def variables_for_one_and_two_layers(sub, ref):
    for layers in (1, 2):
        config = {**CONFIG, "lstm_layers": layers}
        try:
            report = _describe(sub, config)
        except CheckFailure as failure:
            if layers == 2:
                raise CheckFailure(f"{failure}. Hint: {SHARED_CELL}") from None
            raise
        got = sorted(shape for _, shape in report["variables"])
        weights = make_weights(config)
        wanted = [weights["embedding"].shape] + [
            a.shape for pair in weights["layers"] for a in pair
        ]
        wanted = sorted(list(s) for s in wanted + [a.shape for a in weights["dense"]])
        if got != wanted:
            hint = f" Hint: {SHARED_CELL}" if layers == 2 and len(got) < len(wanted) else ""
            raise CheckFailure(
                f"with lstm_layers={layers} the trainable variables should have "
                f"shapes {wanted}, not {got}.{hint}"
            )


def dropout_follows_keep_prob(sub, ref):
    x, _ = _batch(CONFIG)
    same = student_call(
        "predictions twice with keep_prob=1", lambda: sub.probe.repeat_predictions(CONFIG, x, 1.0)
    )
    expect(same[1], same[0], "two runs with keep_prob=1 should agree", rtol=0, atol=0)
    runs = student_call(
        "predictions twice with keep_prob=0.5",
        lambda: sub.probe.repeat_predictions(CONFIG, x, 0.5, 3),
    )
    if all(np.array_equal(runs[0], r) for r in runs[1:]):
        raise CheckFailure(
            "three runs with keep_prob=0.5 gave the same predictions: dropout "
            "should apply output_keep_prob=keep_prob to the LSTM outputs"
        )


def cost_and_accuracy_match_numpy(sub, ref):
    x, y = _batch(CONFIG, seed=4)
    result = student_call("one forward pass", lambda: sub.probe.forward(CONFIG, None, x, y))
    p = np.asarray(result["predictions"], dtype=np.float64).reshape(-1)
    if np.all(np.round(p) == y):  # make sure accuracy is not trivially 1
        y = 1 - y
        result = student_call("one forward pass", lambda: sub.probe.forward(CONFIG, None, x, y))
        p = np.asarray(result["predictions"], dtype=np.float64).reshape(-1)
    eps = 1e-7
    expect(
        float(result["cost"]),
        float(np.mean((y - p) ** 2)),
        "cost = mean squared error of labels_ and predictions",
        rtol=1e-4,
        atol=1e-6,
        mistakes={
            "cross-entropy": float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
        },
    )
    expect(
        float(result["accuracy"]),
        float(np.mean(np.round(p) == y)),
        "accuracy = mean of round(predictions) == labels_",
        rtol=1e-5,
        atol=1e-6,
    )


def adam_step_lowers_the_cost(sub, ref):
    x, y = _batch(CONFIG, seed=5)
    weights = make_weights(CONFIG, seed=5)
    result = student_call(
        "the lab's training step", lambda: sub.probe.train_steps(CONFIG, weights, x, y, 1)
    )
    before, after = result["costs"][0], result["after"]
    if not after < before:
        raise CheckFailure(
            f"one optimizer step at learning_rate={CONFIG['learning_rate']} "
            f"should lower the cost on its batch: {before:.6f} -> {after:.6f}"
        )


def final_state_feeds_initial_state(sub, ref):
    for layers in (1, 2):
        config = {**CONFIG, "lstm_layers": layers}
        weights = make_weights(config, seed=6)
        x1, y1 = _batch(config, seed=7)
        x2, y2 = _batch(config, seed=8)
        first = student_call(
            "a first batch", lambda c=config, w=weights, x=x1, y=y1: sub.probe.forward(c, w, x, y)
        )
        state = first["final_state"]
        expect(len(state), 2 * layers, f"lstm_layers={layers}: tensors in final_state")
        second = student_call(
            "a second batch from the first's final_state",
            lambda c=config, w=weights, s=state, x=x2, y=y2: sub.probe.forward(c, w, x, y, 1.0, s),
        )
        expected, _, _ = lstm_forward(weights, x2, [np.asarray(s) for s in state])
        expect(
            second["predictions"],
            expected,
            f"lstm_layers={layers}: predictions when initial_state is fed the previous final_state",
            rtol=1e-4,
            atol=1e-5,
        )


def reference_weights_give_reference_predictions(sub, ref):
    for layers in (1, 2):
        config = {**CONFIG, "lstm_layers": layers}
        weights = make_weights(config, seed=10 + layers)
        x, y = _batch(config, seed=11)
        result = student_call(
            f"a forward pass with the reference's weights ({layers} layers)",
            lambda c=config, w=weights, x=x, y=y: sub.probe.forward(c, w, x, y),
        )
        predictions, outputs, state = lstm_forward(weights, x)
        first_step = _sigmoid(outputs[:, 0] @ weights["dense"][0] + weights["dense"][1])
        expect(
            result["predictions"],
            predictions,
            f"lstm_layers={layers}: predictions with the reference's weights",
            rtol=1e-4,
            atol=1e-5,
            mistakes={"the FIRST time step's output (use outputs[:, -1])": first_step},
        )
        expect(
            result["final_state"], state, f"lstm_layers={layers}: final_state", rtol=1e-4, atol=1e-5
        )
