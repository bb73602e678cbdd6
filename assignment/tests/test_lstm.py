"""Public tests for lstm.py, through ``probes`` (the grader's window into your graph).

``sub.probe.describe(config)`` builds your graph and reports its parts;
``sub.probe.run(config, cases, weights)`` feeds it and fetches its parts, with
the weights given (``probes.py`` says how); ``sub.probe.train_step(...)`` runs
the optimizer once. Each clause of ``build_graph``'s docstring has a test
here, on one small graph; the hidden tests check the same clauses on others.
TensorFlow takes a few seconds to import; these tests import it once.
"""

import numpy as np
import pytest
from mistakes import (
    CORRECT_COUNT,
    DROPOUT_REACH,
    HALF_MSE,
    NEEDS_FEED,
    ROOT_MSE,
    SHARED_CELL,
    SUM_OF_SQUARES,
    gives,
    ignored,
    likely,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

KEYS = (
    "graph inputs_ labels_ keep_prob embedding initial_state outputs final_state "
    "predictions cost optimizer accuracy"
).split()
SMALL = {
    "n_words": 10,
    "lstm_size": 8,
    "lstm_layers": 1,
    "batch_size": 4,
    "learning_rate": 0.001,
    "embed_size": 6,
}
# Four left-padded reviews of five words, as the lab feeds them.
X = np.array([[0, 0, 1, 2, 3], [0, 4, 5, 6, 7], [8, 9, 1, 2, 3], [0, 0, 0, 0, 9]], np.int32)
CLOSE = 1e-4  # float32 graph against float64 numpy


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def small_weights(seed=3):
    """Weights for SMALL's graph, in the probes' format."""
    rng = np.random.default_rng(seed)
    h, e, n = SMALL["lstm_size"], SMALL["embed_size"], SMALL["n_words"]

    def draw(*shape, scale=0.4):
        return rng.uniform(-scale, scale, shape).astype(np.float32)

    return {
        "embedding": draw(n, e, scale=1.0),
        "layers": [[draw(e + h, 4 * h), draw(4 * h, scale=0.1)]],
        "dense": [draw(h, 1), draw(1, scale=0.1)],
    }


def lstm(weights, x, state=None):
    """One BasicLSTMCell layer in numpy (gates i, j, f, o; forget bias 1) over the embedded
    words: its output at every step [batch, time, h] and its last state (c, h)."""
    kernel, bias = weights["layers"][0]
    size = bias.shape[0] // 4
    words = weights["embedding"][x].astype(float)
    c, h = state if state is not None else (np.zeros((len(x), size)), np.zeros((len(x), size)))
    outputs = []
    for t in range(x.shape[1]):
        gates = np.concatenate([words[:, t], h], axis=1) @ kernel + bias
        i, j, f, o = np.split(gates, 4, axis=1)
        c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * sigmoid(o)
        outputs.append(h)
    return np.stack(outputs, axis=1), (c, h)


def largest_difference(got, expected) -> float:
    got = np.asarray(got, dtype=float)
    if got.shape != np.shape(expected):
        return float("inf")
    return float(np.abs(got - expected).max())


def a_state(seed=5):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, (4, 8)).astype(np.float32) for _ in "ch"]


def test_the_graph_has_every_part(sub):
    graph = sub.probe.describe(SMALL)
    missing = sorted(set(KEYS) - set(graph["keys"]))
    assert missing == [], "build_graph's dict lacks these keys"
    dtypes = [graph["inputs_"]["dtype"], graph["labels_"]["dtype"], graph["keep_prob"]["dtype"]]
    assert dtypes == ["int32", "int32", "float32"], "the dtypes of inputs_, labels_, keep_prob"
    shape = graph["embedding"]["shape"]
    assert shape == [10, 6], "the embedding should be [n_words, embed_size]" + (
        f"; it has the default width, 300: {ignored('embed_size')}" if shape == [10, 300] else ""
    )
    assert graph["graph_is_tf_graph"], "model['graph'] should be a tf.Graph"
    assert not graph["graph_is_default"], (
        "build_graph should build in a NEW tf.Graph (graph = tf.Graph(); with "
        "graph.as_default(): ...), not in the default graph"
    )
    outside = sorted(key for key, inside in graph["in_graph"].items() if not inside)
    assert outside == [], "these parts are not in model['graph']"


def test_predictions_are_probabilities(sub):
    result = sub.probe.forward(SMALL, None, X, np.array([0, 1, 0, 1]))
    predictions = result["predictions"]
    shape = predictions.shape
    assert shape == (4, 1), "predictions: one per review, [batch, 1]"
    inside = bool(np.all((predictions > 0) & (predictions < 1)))
    assert inside, "predictions should be in (0, 1): a dense unit with activation=tf.sigmoid"


def test_two_layers_have_their_own_weights(sub):
    sub.probe.describe(SMALL)  # one layer builds (the other tests say what it lacks)
    try:
        graph = sub.probe.describe({**SMALL, "lstm_layers": 2})
    except ValueError:  # TensorFlow's words for shapes that do not fit
        pytest.fail(f"with lstm_layers=2 the graph does not build. {likely(SHARED_CELL)}")
    # Each variable's role comes from where it is used in the graph, not from its name.
    roles = zip(graph["variables"], graph["roles"], strict=True)
    kernels = [shape for (_, shape), role in roles if role.startswith("kernel")]
    # Layer 1 reads the embedding (6) and its state (8); layer 2 reads layer 1 (8) and its state.
    assert kernels[:2] == [[6 + 8, 4 * 8], [8 + 8, 4 * 8]], (
        "with lstm_layers=2, each layer its own BasicLSTMCell(lstm_size): the kernels' shapes"
        + (f". {likely(SHARED_CELL)}" if len(kernels) < 2 else "")
    )


def test_initial_state_is_zeros_for_batch_size_rows(sub):
    shapes = sub.probe.describe(SMALL)["initial_state"]
    defaults = [  # what the arguments' defaults (batch_size 500, lstm_size 256) give
        (f"{ignored('batch_size')}: it has the default's 500 rows", [[500, 8], [500, 8]]),
        (f"{ignored('lstm_size')}: it has the default's 256 columns", [[4, 256], [4, 256]]),
        (NEEDS_FEED, [[None, 8], [None, 8]]),
    ]
    named = [name for name, wrong in defaults if shapes == wrong]
    assert shapes == [[4, 8], [4, 8]], (
        "initial_state should be cell.zero_state(batch_size, tf.float32): one (c, h) pair, "
        "each [batch_size, lstm_size], known before any batch is fed"
        + (f". {named[0]}" if named else "")
    )
    [run] = sub.probe.run(SMALL, [{"keep_prob": None, "fetch": ["initial_state"]}])
    zeros = [bool(np.all(np.asarray(part) == 0)) for part in run["initial_state"]]
    assert zeros == [True, True], "initial_state, evaluated with nothing fed, should be zeros"


def test_outputs_are_an_lstm_at_every_step(sub):
    weights = small_weights()
    [run] = sub.probe.run(SMALL, [{"x": X, "fetch": ["outputs"]}], weights)
    expected, _ = lstm(weights, X)
    got = np.asarray(run["outputs"])
    shape = got.shape
    assert shape == (4, 5, 8), "outputs for a [4, 5] batch: [batch, time, lstm_size]"
    steps = [t for t in range(5) if largest_difference(got[:, t], expected[:, t]) > CLOSE]
    assert steps == [], (
        "outputs[:, t] should be a BasicLSTMCell's output at step t, over the embedding's rows "
        "of inputs_ (tf1.nn.embedding_lookup); the steps where they differ"
    )


def test_a_fed_initial_state_starts_the_lstm(sub):
    weights, state = small_weights(), a_state()
    [run] = sub.probe.run(SMALL, [{"x": X, "state": state, "fetch": ["outputs"]}], weights)
    expected, _ = lstm(weights, X, state)
    difference = largest_difference(run["outputs"], expected)
    assert difference < CLOSE, (
        "outputs with a state fed to initial_state should be the LSTM's from that state "
        "(dynamic_rnn(..., initial_state=initial_state)); the largest difference"
    )


def test_final_state_is_the_state_after_the_last_step(sub):
    weights, state = small_weights(), a_state()
    [run] = sub.probe.run(SMALL, [{"x": X, "state": state, "fetch": ["final_state"]}], weights)
    _, (c, h) = lstm(weights, X, state)
    got = run["final_state"]
    assert len(got) == 2, "final_state should hold one (c, h) pair, like initial_state"
    same_as_fed = all(np.array_equal(a, b) for a, b in zip(got, state, strict=True))
    differences = [largest_difference(a, b) for a, b in zip(got, (c, h), strict=True)]
    assert max(differences) < CLOSE, "final_state should be the (c, h) after the last step. " + (
        "This is what returning the initial_state gives." if same_as_fed else ""
    )


def test_predictions_read_the_last_step(sub):
    weights = small_weights()
    [run] = sub.probe.run(SMALL, [{"x": X, "fetch": ["outputs", "predictions"]}], weights)
    outputs = np.asarray(run["outputs"], dtype=float)
    kernel, bias = weights["dense"]
    expected = sigmoid(outputs[:, -1] @ kernel + bias)
    first = sigmoid(outputs[:, 0] @ kernel + bias)
    difference = largest_difference(run["predictions"], expected)
    assert difference < CLOSE, (
        "predictions are not one sigmoid unit on the LAST time step's output. "
        + (
            "This is what the FIRST time step's output gives."
            if largest_difference(run["predictions"], first) < CLOSE
            else ""
        )
    )


# Predictions fed in place of the graph's own, and labels: the cost and accuracy of those.
# Cost and accuracy are defined by value: where feeding `predictions` does not reach them
# (they are computed from another tensor of the same value), the graph's own predictions,
# fetched in the same run, are used instead.
FED = np.array([[0.2], [0.7], [0.6], [0.4]], np.float32)
LABELS = np.array([0, 1, 1, 0], np.int32)


def fed_or_own(sub, key, right):
    """``(predictions, value of key, whose)``: for FED; or, where ``key`` does not follow them
    but is ``right`` by value on the graph's own predictions (outputs fed chosen values, so
    they spread over (0, 1)), for those."""
    fed = {"x": X, "y": LABELS, "feed": {"predictions": FED}, "fetch": [key]}
    [run] = sub.probe.run(SMALL, [fed])
    if right(FED, run[key]):
        return FED, run[key], "(fed)"
    width = (sub.probe.describe(SMALL)["outputs"]["shape"] or [None])[-1] or SMALL["lstm_size"]
    outputs = np.random.default_rng(7).normal(0, 3, (4, 5, width)).astype(np.float32)
    own = {"x": X, "y": LABELS, "feed": {"outputs": outputs}, "fetch": ["predictions", key]}
    try:
        [mine] = sub.probe.run(SMALL, [own])
    except Exception:  # noqa: BLE001 - outputs cannot be fed: the fed values say what is wrong
        return FED, run[key], "(fed)"
    if right(mine["predictions"], mine[key]):
        return mine["predictions"], mine[key], "(its own)"
    return FED, run[key], "(fed)"


def shown(p):
    return np.ravel(p).astype(float).round(3).tolist()


def mse(p, y):
    return float(np.mean((np.ravel(y).astype(float) - np.ravel(p).astype(float)) ** 2))


def accuracy(p, rounded=np.round):
    return float(np.mean(rounded(np.ravel(p)) == LABELS))


def test_cost_is_the_mse_of_fed_predictions(sub):
    p, got, whose = fed_or_own(
        sub, "cost", lambda p, cost: float(cost) == pytest.approx(mse(p, LABELS), rel=1e-4)
    )
    y = LABELS.astype(float)
    q = np.clip(np.ravel(p).astype(float), 1e-7, 1 - 1e-7)
    squares = (y - np.ravel(p).astype(float)) ** 2
    known = {
        "cross-entropy": float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))),
        SUM_OF_SQUARES: float(squares.sum()),
        ROOT_MSE: float(np.sqrt(squares.mean())),
        HALF_MSE: float(squares.mean() / 2),
    }
    named = [name for name, value in known.items() if float(got) == pytest.approx(value, rel=1e-3)]
    assert float(got) == pytest.approx(mse(p, LABELS), rel=1e-4), (
        f"cost for predictions {shown(p)} {whose} and labels_ [0, 1, 1, 0] "
        "should be their mean squared error (tf1.losses.mean_squared_error). "
        + (f"{gives(named[0])}." if named else "")
    )


def test_accuracy_of_fed_predictions(sub):
    p, got, whose = fed_or_own(
        sub, "accuracy", lambda p, value: float(value) == pytest.approx(accuracy(p))
    )
    truncates = accuracy(p, np.trunc) != accuracy(p) and float(got) == accuracy(p, np.trunc)
    counts = float(got) == pytest.approx(accuracy(p) * len(LABELS)) and accuracy(p) != 0
    assert float(got) == pytest.approx(accuracy(p)), (
        f"accuracy for predictions {shown(p)} {whose} and labels_ "
        "[0, 1, 1, 0] should be the mean of round(predictions) == labels_. "
        + ("This is what tf.cast without tf.round gives." if truncates else "")
        + (f"{gives(CORRECT_COUNT)}." if counts else "")
    )


def test_dropout_is_on_the_outputs(sub):
    cases = [{"x": X, "keep_prob": p, "fetch": ["outputs"]} for p in (1.0, 0.5)]
    full, dropped = (np.asarray(r["outputs"]) for r in sub.probe.run(SMALL, cases, small_weights()))
    zero = np.isclose(dropped, 0, atol=1e-7)
    doubled = np.isclose(dropped, 2 * full, rtol=1e-4, atol=1e-6)
    zeros, neither = round(float(zero.mean()), 2), round(float(np.mean(~zero & ~doubled)), 2)
    said = (
        f"with keep_prob=0.5, every output should be 0 or twice its value at keep_prob=1 (about "
        f"half of them 0): {zeros:.0%} are 0 and {neither:.0%} are neither"
        + (f": {DROPOUT_REACH}" if neither else "")
    )
    assert neither == 0, said
    assert 0.2 < zeros < 0.8, said


def test_one_adam_step_moves_weights_by_the_learning_rate(sub):
    config = {**SMALL, "learning_rate": 0.03}
    step = sub.probe.train_step(config, X, LABELS, gradients=True)
    gradient = np.concatenate([np.ravel(g) for g in step["gradients"]])
    moved = np.concatenate(
        [
            np.ravel(np.asarray(a, float) - b)
            for a, b in zip(step["after"], step["before"], strict=True)
        ]
    )
    steep = np.abs(gradient) > 1e-3  # where Adam's epsilon does not matter
    size = round(float(np.median(np.abs(moved[steep]))), 5) if steep.any() else 0.0
    downhill = bool(np.all(moved[steep] * gradient[steep] < 0))
    plain = bool(np.allclose(moved, -0.03 * gradient, rtol=1e-3, atol=1e-7))
    said = (
        "Adam's first step moves each weight by about learning_rate (0.03 here), against its "
        f"gradient; the typical move is {size:g}. "
        + (
            "This is what plain gradient descent gives."
            if plain
            else f"It is Adam's default step, 0.001: {ignored('learning_rate')}."
            if size == pytest.approx(0.001, rel=0.02)
            else ""
        )
    )
    assert downhill, said
    assert size == pytest.approx(0.03, rel=0.02), said
