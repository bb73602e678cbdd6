"""Look inside a submission's LSTM graph and report what is there as plain data.

These run in the sandbox worker, next to the submission's ``lstm`` module, and
return only lists, dicts, strings and numpy arrays, which the grader compares
with its own numpy recomputation. They are not secret; they are also what the
public LSTM tests call.

Weights are passed in as ``{"embedding": E, "layers": [[kernel, bias], ...],
"dense": [kernel, bias]}`` and matched to the graph's trainable variables by
shape and creation order, so any variable names (``BasicLSTMCell`` or
``LSTMCell``, ``tf1.Variable`` or ``get_variable``) work.
"""

import random

import numpy as np

CONFIG_KEYS = ("n_words", "lstm_size", "lstm_layers", "batch_size", "learning_rate", "embed_size")


class ProbeError(Exception):
    """The graph does not have what the probe needs; the message says what."""


def _tf():
    import tensorflow as tf  # the worker set TF_USE_LEGACY_KERAS before anything else

    return tf


_built: dict[tuple, dict] = {}


def build(lstm, config: dict, seed: int = 0) -> dict:
    """``lstm.build_graph(**config)`` with every random op seeded from ``seed``.

    Graphs are kept per (config, seed): building one costs far more than a
    session, and every session on it starts its random ops afresh.
    """
    key = (lstm.__name__, tuple(sorted(config.items())), seed)
    if key not in _built:
        _built[key] = _build(lstm, config, seed)
    return _built[key]


def _build(lstm, config: dict, seed: int) -> dict:
    tf = _tf()
    random.seed(seed)
    np.random.seed(seed)
    tf.compat.v1.set_random_seed(seed)  # the default graph's; the model's own graph below
    original = tf.Graph.__init__

    def seeded_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.seed = seed

    tf.Graph.__init__ = seeded_init
    try:
        model = lstm.build_graph(**{k: config[k] for k in CONFIG_KEYS if k in config})
    finally:
        tf.Graph.__init__ = original
    if not isinstance(model, dict):
        raise ProbeError(f"build_graph returned a {type(model).__name__}, not a dict")
    return model


def _shape(tensor) -> list | None:
    shape = getattr(tensor, "shape", None)
    if shape is None or shape.rank is None:
        return None
    return list(shape.as_list())


def _dtype(tensor) -> str | None:
    dtype = getattr(tensor, "dtype", None)
    return getattr(dtype, "name", None)


def _variables(model: dict) -> list:
    tf = _tf()
    with model["graph"].as_default():
        return list(tf.compat.v1.trainable_variables())


def describe(lstm, config: dict) -> dict:
    """Keys, placeholder dtypes and shapes, variables, state structure of a fresh graph."""
    tf = _tf()
    model = build(lstm, config)
    report = {"keys": sorted(str(k) for k in model)}
    report["graph_is_tf_graph"] = isinstance(model.get("graph"), tf.Graph)
    for key in (
        "inputs_",
        "labels_",
        "keep_prob",
        "embedding",
        "outputs",
        "predictions",
        "cost",
        "accuracy",
    ):
        if key in model:
            report[key] = {
                "dtype": _dtype(model[key]),
                "shape": _shape(model[key]),
                "op": getattr(getattr(model[key], "op", None), "type", None),
            }
    if "graph" in model:
        report["variables"] = [[v.name, _shape(v)] for v in _variables(model)]
    for key in ("initial_state", "final_state"):
        if key in model:
            report[key] = [_shape(t) for t in tf.nest.flatten(model[key])]
    if "optimizer" in model:
        report["optimizer_type"] = type(model["optimizer"]).__name__
    return report


def _assign(model: dict, sess, weights: dict) -> None:
    """Load ``weights`` into the model's trainable variables, matched by shape and order."""
    variables = _variables(model)
    wanted = [weights["embedding"]]
    for kernel, bias in weights["layers"]:
        wanted += [kernel, bias]
    wanted += list(weights["dense"])
    if len(variables) != len(wanted):
        raise ProbeError(
            f"the graph has {len(variables)} trainable variables; an embedding, a kernel and "
            f"a bias per LSTM layer and a dense kernel and bias make {len(wanted)}: "
            + ", ".join(f"{v.name} {_shape(v)}" for v in variables)
        )
    remaining = list(variables)
    with model["graph"].as_default():  # initial_value is only reachable inside the graph
        for value in wanted:  # in order: the first unused variable of the right shape
            match = next((v for v in remaining if _shape(v) == list(value.shape)), None)
            if match is None:
                raise ProbeError(
                    f"no trainable variable of shape {list(value.shape)} is left for the "
                    "reference's weights; the graph has "
                    + ", ".join(f"{v.name} {_shape(v)}" for v in variables)
                )
            remaining.remove(match)
            sess.run(match.initializer, {match.initial_value: value})


def _session(model: dict, weights: dict | None):
    tf = _tf()
    sess = tf.compat.v1.Session(graph=model["graph"])
    with model["graph"].as_default():
        sess.run(tf.compat.v1.global_variables_initializer())
    if weights is not None:
        _assign(model, sess, weights)
    return sess


def _feed(model: dict, x, y=None, keep_prob: float = 1.0, state=None) -> dict:
    tf = _tf()
    feed = {model["inputs_"]: x, model["keep_prob"]: keep_prob}
    if y is not None:
        feed[model["labels_"]] = np.asarray(y).reshape(-1, 1)
    if state is not None:
        tensors = tf.nest.flatten(model["initial_state"])
        if len(tensors) != len(state):
            raise ProbeError(f"initial_state has {len(tensors)} tensors, expected {len(state)}")
        feed.update(zip(tensors, state, strict=True))
    return feed


def forward(
    lstm,
    config: dict,
    weights: dict | None,
    x,
    y,
    keep_prob: float = 1.0,
    state=None,
    seed: int = 0,
) -> dict:
    """One forward pass: predictions, cost, accuracy and the flat final state."""
    tf = _tf()
    model = build(lstm, config, seed)
    with _session(model, weights) as sess:
        fetched = sess.run(
            {
                "predictions": model["predictions"],
                "cost": model["cost"],
                "accuracy": model["accuracy"],
                "final_state": tf.nest.flatten(model["final_state"]),
                "outputs": model["outputs"],
            },
            _feed(model, x, y, keep_prob, state),
        )
    return {
        k: (list(map(np.asarray, v)) if k == "final_state" else np.asarray(v))
        for k, v in fetched.items()
    }


def repeat_predictions(
    lstm, config: dict, x, keep_prob: float, times: int = 2, seed: int = 0
) -> list:
    """The predictions for the same ``x`` and weights, ``times`` times over."""
    model = build(lstm, config, seed)
    with _session(model, None) as sess:
        return [
            np.asarray(sess.run(model["predictions"], _feed(model, x, None, keep_prob)))
            for _ in range(times)
        ]


def train_steps(
    lstm,
    config: dict,
    weights: dict | None,
    x,
    y,
    steps: int = 1,
    keep_prob: float = 1.0,
    seed: int = 0,
) -> dict:
    """The sheet's training step on one batch, ``steps`` times; the cost before each step and after.

    Feeds ``inputs_``, ``labels_`` as ``y[:, None]``, ``keep_prob`` and
    ``initial_state`` (zero), and fetches ``cost``, ``final_state`` and
    ``optimizer``, as the lab's loop does.
    """
    model = build(lstm, config, seed)
    costs = []
    with _session(model, weights) as sess:
        zero = sess.run(model["initial_state"])
        feed = {
            model["inputs_"]: x,
            model["labels_"]: np.asarray(y)[:, None],
            model["keep_prob"]: keep_prob,
            model["initial_state"]: zero,
        }
        for _ in range(steps):
            cost, _, _ = sess.run([model["cost"], model["final_state"], model["optimizer"]], feed)
            costs.append(float(cost))
        after = sess.run(model["cost"], {**feed, model["keep_prob"]: 1.0})
    return {"costs": costs, "after": float(after)}
