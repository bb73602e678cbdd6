"""Tests for reference/lstm.py (the TensorFlow graph and its training loop) and for the
end-to-end sentiment run, on tiny problems that train in a second or two.

TensorFlow is imported once, with this module; the whole file runs in well under a
minute on two cores. The run on the real data set is marked slow.
"""

import inspect
import io
import json
import random
import types

import numpy as np
import pytest
from rich.console import Console

from autograder import ROOT
from data.sentiment import DataError
from reference import labels, lstm, padding, splits, vocab
from reference.hidden_tests.lstm_graph import KEYS
from reference.lab import sentiment

tf = lstm.tf
tf1 = tf.compat.v1

# The TF 1-style API warns that it is deprecated at every graph: that is the lab's point.
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:UserWarning")

REFERENCE = types.SimpleNamespace(
    vocab=vocab, labels=labels, padding=padding, splits=splits, lstm=lstm
)


def load_probes():
    """The assignment's LSTM helper (``assignment/tests/probes.py``), imported once here."""
    import importlib.util
    import sys

    if "_rnnlab_probes" not in sys.modules:
        path = ROOT / "assignment" / "tests" / "probes.py"
        spec = importlib.util.spec_from_file_location("_rnnlab_probes", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["_rnnlab_probes"]


def token_data(n: int, seq_len: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows of filler tokens 3..5 with one token 1 (label 1) or 2 (label 0) somewhere."""
    rng = np.random.default_rng(seed)
    x = rng.integers(3, 6, (n, seq_len)).astype(np.int32)
    y = rng.integers(0, 2, n)
    x[np.arange(n), rng.integers(0, seq_len, n)] = np.where(y == 1, 1, 2)
    return x, y


def small_graph(layers: int = 1, batch_size: int = 32, seed: int = 0, **kwargs) -> dict:
    options = {"lstm_size": 16, "embed_size": 8, "learning_rate": 0.01, **kwargs}
    with lstm.seeded(seed):
        return lstm.build_graph(6, lstm_layers=layers, batch_size=batch_size, **options)


# ---------------------------------------------------------------------------
# build_graph
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("layers", [1, 2])
def test_build_graph_has_the_contract_keys_dtypes_and_shapes(layers):
    model = lstm.build_graph(10, lstm_size=12, lstm_layers=layers, batch_size=4, embed_size=6)
    assert KEYS <= set(model)
    graph = model["graph"]
    assert isinstance(graph, tf.Graph)
    assert tf.executing_eagerly(), "build_graph must not switch eager execution off globally"

    for name in ("inputs_", "labels_"):
        assert model[name].dtype == tf.int32 and model[name].op.type == "Placeholder"
        assert model[name].shape.as_list() == [None, None]
    assert model["keep_prob"].dtype == tf.float32 and model["keep_prob"].shape.rank == 0
    assert model["embedding"].shape.as_list() == [10, 6]

    state = model["initial_state"]
    assert len(state) == layers
    for layer in state:
        assert [part.shape.as_list() for part in layer] == [[4, 12], [4, 12]]
    assert tf.nest.map_structure(lambda t: t.shape.as_list(), model["final_state"]) == (
        tf.nest.map_structure(lambda t: t.shape.as_list(), state)
    )
    assert model["outputs"].shape.as_list()[-1] == 12
    assert model["predictions"].shape.as_list()[-1] == 1
    assert model["cost"].shape.rank == 0 and model["accuracy"].shape.rank == 0
    assert isinstance(model["optimizer"], tf.Operation)
    for name in KEYS - {"graph", "initial_state", "final_state"}:
        assert model[name].graph is graph, name


def test_each_call_makes_a_new_graph():
    first, second = lstm.build_graph(5, 4, 1, 2, 0.01, 3), lstm.build_graph(5, 4, 1, 2, 0.01, 3)
    assert first["graph"] is not second["graph"]
    assert first["graph"] is not tf1.get_default_graph()


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_every_layer_has_its_own_weights(layers):
    # embed_size != lstm_size: with one cell shared by all layers this could not even build.
    model = lstm.build_graph(10, lstm_size=12, lstm_layers=layers, batch_size=4, embed_size=6)
    with model["graph"].as_default():
        trainable = tf1.trainable_variables()
    kernels = [v for v in trainable if "kernel" in v.name and "dense" not in v.name]
    assert len(kernels) == layers
    assert len({v.name for v in kernels}) == layers
    # Layer 1 reads the embedding (6) and its own output (12); later layers read 12 + 12.
    assert [v.shape.as_list() for v in kernels] == [[18, 48]] + [[24, 48]] * (layers - 1)
    # embedding + (kernel, bias) per layer + the dense layer's kernel and bias
    assert len(trainable) == 1 + 2 * layers + 2


def test_embedding_starts_uniform_in_minus_one_one():
    model = lstm.build_graph(200, lstm_size=4, batch_size=2, embed_size=50)
    with tf1.Session(graph=model["graph"]) as sess:
        sess.run(tf1.variables_initializer([model["embedding"]]))
        values = sess.run(model["embedding"])
    assert values.min() >= -1 and values.max() <= 1
    assert values.min() < -0.95 and values.max() > 0.95 and abs(values.mean()) < 0.05


def test_seeded_builds_repeat_their_initial_weights():
    def initial(seed):
        model = small_graph(2, seed=seed)
        with tf1.Session(graph=model["graph"]) as sess:
            sess.run(tf1.global_variables_initializer())
            with model["graph"].as_default():
                return sess.run(tf1.trainable_variables())

    state = random.getstate()
    first, again, other = initial(0), initial(0), initial(1)
    assert random.getstate() == state, "seeded() must give Python's random its state back"
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])
    assert tf.Graph().seed is None, "seeded() must not leak out of its block"


@pytest.mark.parametrize("layers", [1, 2])
def test_learns_a_separable_toy_problem(layers):
    """Token 1 somewhere means positive, token 2 negative: a few Adam steps must learn it."""
    x, y = token_data(128)
    model = small_graph(layers)

    def feeds(i: int, keep: float) -> dict:
        return {
            model["inputs_"]: x[i : i + 32],
            model["labels_"]: y[i : i + 32, None],
            model["keep_prob"]: keep,
        }

    with tf1.Session(graph=model["graph"]) as sess:
        sess.run(tf1.global_variables_initializer())
        for step in range(150):
            sess.run(model["optimizer"], feeds(step % 4 * 32, 1.0))
        accuracy = np.mean([sess.run(model["accuracy"], feeds(i, 1.0)) for i in range(0, 128, 32)])
        predictions = sess.run(model["predictions"], feeds(0, 1.0))
    assert accuracy >= 0.95
    assert predictions.shape == (32, 1) and ((predictions > 0) & (predictions < 1)).all()


# ---------------------------------------------------------------------------
# Provided helpers: get_batches, train, evaluate
# ---------------------------------------------------------------------------


def test_get_batches_yields_full_batches_only():
    x, y = np.arange(23).reshape(23, 1), np.arange(23)
    batches = list(lstm.get_batches(x, y, 5))
    assert [len(bx) for bx, _ in batches] == [5] * 4
    assert np.array_equal(np.concatenate([by for _, by in batches]), np.arange(20))


def test_train_keeps_the_best_validation_checkpoint(tmp_path):
    # The validation labels are the opposite of the rule the training set teaches, so
    # validation accuracy falls as training goes on: the best checkpoint is an early one.
    train_x, train_y = token_data(128, seed=1)
    val_x, val_y = token_data(64, seed=2)
    val_y = 1 - val_y
    model = small_graph(1, learning_rate=0.005)
    batches, epochs = [], []
    checkpoint = tmp_path / "ckpt" / "sentiment.ckpt"
    history = lstm.train(
        model,
        train_x,
        train_y,
        val_x,
        val_y,
        epochs=6,
        keep_prob=0.8,
        checkpoint=checkpoint,
        on_batch=lambda *args: batches.append(args),
        on_epoch=lambda *args: epochs.append(args),
        seed=0,
    )
    assert [h["epoch"] for h in history] == [1, 2, 3, 4, 5, 6]
    assert len(batches) == 6 * 4 and batches[:4] == [
        (1, i, 4, batches[i - 1][3]) for i in (1, 2, 3, 4)
    ]
    assert [e[0] for e in epochs] == [1, 2, 3, 4, 5, 6]
    for h, e in zip(history, epochs, strict=True):
        assert set(h) >= {"epoch", "train_loss", "val_acc", "seconds", "best"}
        assert e == (h["epoch"], h["train_loss"], h["val_acc"], h["seconds"])
    accs = [h["val_acc"] for h in history]
    # "best" marks exactly the epochs that beat every earlier one.
    assert [h["best"] for h in history] == [
        a > max(accs[:i], default=-1) for i, a in enumerate(accs)
    ]
    assert accs[-1] < max(accs), "this toy set-up should make the last epoch worse than the best"
    assert (tmp_path / "ckpt" / "sentiment.ckpt.index").is_file()

    restored = lstm.evaluate(model, val_x, val_y, checkpoint=checkpoint)
    assert restored == pytest.approx(max(accs), abs=1e-6)
    assert lstm.evaluate(model, val_x, val_y, checkpoint=tmp_path / "ckpt") == restored


def test_seeded_training_repeats(tmp_path):
    x, y = token_data(96, seed=3)

    def losses(run):
        model = small_graph(2)
        history = lstm.train(model, x, y, x, y, epochs=2, checkpoint=tmp_path / run / "c", seed=0)
        return [h["train_loss"] for h in history] + [h["val_acc"] for h in history]

    assert losses("a") == pytest.approx(losses("b"), rel=1e-5)


def students_build_graph():
    """The reference's ``build_graph`` as most students write it: ``dynamic_rnn`` with its
    default of up to 32 time steps at once (here asked for explicitly)."""
    source = inspect.getsource(lstm.build_graph)
    assert "parallel_iterations=1" in source
    namespace = dict(vars(lstm))
    exec(source.replace("parallel_iterations=1", "parallel_iterations=32"), namespace)
    return namespace["build_graph"]


def test_seeded_runs_dynamic_rnn_one_step_at_a_time_so_training_repeats(tmp_path):
    """The issue's symptom: a student's graph built inside ``seeded(0)`` trained to other
    numbers on every run, its dropout masks drawn in the threads' order."""
    build = students_build_graph()
    x, y = token_data(120, seq_len=60, seed=5)

    def run(name):
        with lstm.seeded(0):
            model = build(6, lstm_size=16, batch_size=20, embed_size=8, learning_rate=0.01)
        loops = [o for o in model["graph"].get_operations() if o.type.endswith("While")]
        assert loops and {op.get_attr("parallel_iterations") for op in loops} == {1}
        history = lstm.train(
            model, x, y, x, y, epochs=2, checkpoint=tmp_path / name / "c", seed=0, shuffle=True
        )
        return [(h["train_loss"], h["val_acc"]) for h in history]

    assert run("a") == run("b")
    assert tf1.nn.dynamic_rnn.__name__ == "dynamic_rnn", "seeded() must not leak out of its block"
    assert lstm.seeded.__doc__ and "parallel_iterations=1" in lstm.seeded.__doc__


def test_evaluate_refuses_fewer_rows_than_a_batch(tmp_path):
    model = small_graph(1, batch_size=32)
    x, y = token_data(31)
    with tf1.Session(graph=model["graph"]) as sess:
        sess.run(tf1.global_variables_initializer())
        with pytest.raises(ValueError, match=r"31 rows, fewer than one batch of 32"):
            lstm.evaluate(model, x, y, session=sess)
        with pytest.raises(ValueError, match="labels"):
            lstm.evaluate(model, *token_data(64)[:1], y, session=sess)
        assert 0 <= lstm.evaluate(model, *token_data(40), session=sess) <= 1
    with pytest.raises(ValueError, match="checkpoint"):
        lstm.evaluate(model, x, y)
    with pytest.raises(ValueError, match="validation set has 31 rows"):
        lstm.train(model, *token_data(64), x, y, epochs=1, checkpoint=tmp_path / "c")
    assert not (tmp_path / "c.index").exists()


# ---------------------------------------------------------------------------
# reference.lab.sentiment.run
# ---------------------------------------------------------------------------


def test_run_writes_checkpoint_curve_and_metrics(tmp_path, tiny_data):
    out = io.StringIO()
    metrics = sentiment.run(
        REFERENCE,
        tiny_data,
        tmp_path / "out",
        epochs=2,
        lstm_size=8,
        embed_size=8,
        batch_size=10,
        seq_len=12,
        console=Console(file=out, width=200),
    )
    text = out.getvalue()
    assert metrics["data"] | {"vocab_size": None} == {
        "reviews": 60,
        "zero_length_dropped": 0,
        "vocab_size": None,
        "train": 48,
        "val": 6,
        "test": 6,
        "test_scored": 6,
    }
    assert metrics["config"]["batch_size"] == 6 and metrics["config"]["batch_size_requested"] == 10
    assert "using batch_size 6" in text and "(48, 12)" in text and "(6, 12)" in text
    assert [h["epoch"] for h in metrics["history"]] == [1, 2]
    assert "epoch 2/2" in text and "Test accuracy" in text
    assert 0 <= metrics["test_acc"] <= 1
    assert metrics["best_val_acc"] == max(h["val_acc"] for h in metrics["history"])

    png = tmp_path / "out" / "learning_curve.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "out" / "checkpoints" / "sentiment.ckpt.index").is_file()
    assert json.loads((tmp_path / "out" / "metrics.json").read_text()) == metrics


def test_run_limit_keeps_the_first_reviews(tmp_path, tiny_data):
    metrics = sentiment.run(
        REFERENCE,
        tiny_data,
        tmp_path / "out",
        epochs=1,
        lstm_size=4,
        embed_size=4,
        batch_size=4,
        seq_len=6,
        limit=40,
        console=Console(file=io.StringIO()),
    )
    assert (metrics["data"]["train"], metrics["data"]["val"], metrics["data"]["test"]) == (32, 4, 4)
    assert metrics["config"]["batch_size"] == 4


def test_run_reports_missing_data(tmp_path):
    with pytest.raises(DataError, match="missing"):
        sentiment.run(
            REFERENCE, tmp_path / "nowhere", tmp_path / "out", console=Console(file=io.StringIO())
        )


@pytest.mark.slow
def test_run_on_the_real_data(real_data, tmp_path):
    metrics = sentiment.run(
        REFERENCE,
        real_data,
        tmp_path,
        epochs=1,
        lstm_size=32,
        embed_size=32,
        batch_size=100,
        limit=2000,
        console=Console(file=io.StringIO()),
    )
    assert (metrics["data"]["train"], metrics["data"]["val"], metrics["data"]["test"]) == (
        1600,
        200,
        200,
    )
    assert 0.3 <= metrics["test_acc"] <= 1


@pytest.mark.parametrize("layers", [1, 2])
def test_the_graders_numpy_lstm_is_the_reference_graph(layers):
    """The grader checks graphs against a numpy LSTM: it must be the reference's, exactly."""
    probes = load_probes()
    from reference.hidden_tests._maths import lstm_forward, make_weights

    config = {
        "n_words": 12,
        "lstm_size": 5,
        "lstm_layers": layers,
        "batch_size": 3,
        "learning_rate": 0.01,
        "embed_size": 4,
    }
    weights = make_weights(config, seed=layers)
    x = np.random.default_rng(0).integers(0, 12, (3, 6)).astype(np.int32)
    got = probes.forward(lstm, config, weights, x, np.array([0, 1, 1]))
    predictions, outputs, state = lstm_forward(weights, x)
    np.testing.assert_allclose(got["predictions"], predictions, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["outputs"], outputs, rtol=1e-5, atol=1e-6)
    for a, b in zip(got["final_state"], state, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


SMALL_CONFIG = {
    "n_words": 12,
    "lstm_size": 5,
    "lstm_layers": 1,
    "batch_size": 3,
    "learning_rate": 0.01,
    "embed_size": 4,
}


def test_an_exported_graph_probes_as_the_built_one(monkeypatch):
    """The graph as data: what ``load`` imports computes what ``build_graph`` built."""
    probes = load_probes()
    from reference.hidden_tests._maths import make_weights

    config = {**SMALL_CONFIG, "lstm_layers": 2}
    x = np.random.default_rng(1).integers(0, 12, (3, 6)).astype(np.int32)
    y = np.array([0, 1, 1])
    weights = make_weights(config, seed=3)
    built = probes.forward(lstm, config, weights, x, y)
    step = probes.train_step(lstm, config, x, y, gradients=True)
    exported = probes.export(lstm, config)
    assert exported["meta_graph"].dtype == np.uint8 and exported["facts"]["eager"]
    monkeypatch.setattr(probes, "_built", {})  # as in a fresh, clean sandbox
    monkeypatch.setattr(probes, "_steps", {})
    probes.load(config, 0, exported)
    loaded = probes.forward(None, config, weights, x, y)
    for key in ("predictions", "cost", "outputs"):
        np.testing.assert_allclose(loaded[key], built[key], rtol=1e-6)
    again = probes.train_step(None, config, x, y, gradients=True)
    pairs = zip(again["gradients"] + again["after"], step["gradients"] + step["after"], strict=True)
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    report = probes.describe(None, config)
    assert report["in_graph"] == dict.fromkeys(report["in_graph"], True)
    assert report["variables"] == probes.describe(lstm, config)["variables"]


def test_a_graph_that_calls_python_is_refused(monkeypatch):
    import tensorflow as tf

    probes = load_probes()

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        y = tf.compat.v1.py_func(lambda v: v, [x], tf.float32)
        proto = tf.compat.v1.train.export_meta_graph(graph=graph)
    exported = {
        "meta_graph": np.frombuffer(proto.SerializeToString(), dtype=np.uint8),
        "parts": {"graph": {"graph": True}, "predictions": {"tensor": y.name}},
        "facts": dict.fromkeys(probes.FACTS, True),
    }
    monkeypatch.setattr(probes, "_built", {})
    with pytest.raises(probes.ProbeError, match="PyFunc"):
        probes.load(SMALL_CONFIG, 0, exported)
    with pytest.raises(probes.ProbeError, match="PyFunc"):
        probes.describe(None, SMALL_CONFIG)


# ---------------------------------------------------------------------------
# The lstm_graph question's hidden checks, run in this process (no sandbox)
# ---------------------------------------------------------------------------


class InProcess:
    """``sub`` for the hidden checks: ``sub.probe.NAME(...)`` runs ``probes.NAME`` on
    ``module`` here, and its errors arrive as the sandbox's ``StudentError``."""

    def __init__(self, module: types.ModuleType) -> None:
        self.probe = types.SimpleNamespace()
        from autograder.sandbox import StudentError

        probes = load_probes()

        def probe(name: str):
            def call(*args, **kwargs):
                try:
                    return getattr(probes, name)(module, *args, **kwargs)
                except Exception as error:  # noqa: BLE001 - what the worker would send
                    info = {
                        "type": type(error).__name__,
                        "bases": [t.__name__ for t in type(error).__mro__],
                        "message": str(error),
                    }
                    raise StudentError(info) from None

            return call

        for name in ("describe", "run", "forward", "train_step"):
            setattr(self.probe, name, probe(name))


def hidden_failures(module: types.ModuleType) -> dict[str, str]:
    """Every hidden lstm_graph check on ``module``: test id -> feedback, for those that fail."""
    from autograder.authoring import CheckFailure
    from autograder.formats.manifest import current as current_assignment
    from reference.hidden_tests import lstm_graph as checks

    LAB = current_assignment()

    sub, failed = InProcess(module), {}
    for test in LAB.question("lstm_graph").tests:
        if test.visibility == "hidden":
            try:
                getattr(checks, test.id)(sub, None)
            except CheckFailure as failure:
                failed[test.id] = str(failure)
    return failed


def spliced_lstm(fragment, folder) -> types.ModuleType:
    """The reference's lstm.py with ``fragment``'s build_graph, imported under its own name."""
    import importlib.util

    import submissions

    path = submissions.spliced(fragment, folder) / "lstm.py"
    spec = importlib.util.spec_from_file_location(f"lstm_{fragment.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_hidden_lstm_check_passes_on_the_reference():
    assert hidden_failures(lstm) == {}


def lstm_alternatives() -> list:
    import submissions

    return [p for p in submissions.ALTERNATIVE if p.stem.startswith("lstm")]


@pytest.mark.parametrize("fragment", lstm_alternatives(), ids=lambda p: p.stem)
def test_every_hidden_lstm_check_passes_on_the_alternative_in_process(fragment, tmp_path):
    """The probes on the module itself, as the kit's pytest runs them (grading exports)."""
    assert hidden_failures(spliced_lstm(fragment, tmp_path / "s")) == {}


@pytest.mark.parametrize(
    "name",
    [
        "reference",
        "lstm_output_layer_first",
        "lstm_extra_keys_of_every_kind",
        "lstm_scopes_dense_first",
    ],
)
def test_variables_are_found_by_their_role_not_their_order(name, tmp_path):
    """Two layers: the embedding, each layer's kernel and bias, the dense unit, whatever the
    order of creation; no probe reads a property of a returned value it does not know."""
    import submissions

    probes = load_probes()
    module = (
        lstm
        if name == "reference"
        else spliced_lstm(submissions.HERE / "alternative" / f"{name}.py", tmp_path / "s")
    )
    config = {
        "n_words": 10,
        "lstm_size": 8,
        "lstm_layers": 2,
        "batch_size": 4,
        "learning_rate": 0.001,
        "embed_size": 6,
    }
    report = probes.describe(module, config)
    assert report["roles"] == [
        "embedding",
        "kernel 0",
        "bias 0",
        "kernel 1",
        "bias 1",
        "dense kernel",
        "dense bias",
    ]
    shapes = [shape for _, shape in report["variables"]]
    assert shapes == [[10, 6], [14, 32], [32], [16, 32], [32], [8, 1], [1]]
    assert set(report["in_graph"]) == set(KEYS) - {"graph"}  # extra entries are not looked at
    exported = probes.export(module, config)
    assert all("reported" in where for key, where in exported["parts"].items() if key not in KEYS)


OWN_CLAUSE = {
    "lstm_accuracy_counts": "accuracy_rounds_predictions",
    "lstm_accuracy_truncates": "accuracy_rounds_predictions",
    "lstm_batch_size_from_inputs": "batch_size_sets_the_zero_state",
    "lstm_batch_size_ignored": "batch_size_sets_the_zero_state",
    "lstm_cost_half_mse": "cost_is_the_mean_squared_error",
    "lstm_cost_root_mse": "cost_is_the_mean_squared_error",
    "lstm_cost_sum_of_squares": "cost_is_the_mean_squared_error",
    "lstm_cross_entropy_cost": "cost_is_the_mean_squared_error",
    "lstm_default_graph": "graph_holds_every_part",
    "lstm_embed_size_ignored": "embed_size_sets_the_embedding_width",
    "lstm_final_state_is_initial": "final_state_is_the_last_steps_state",
    "lstm_first_step": "predictions_from_the_last_step",
    "lstm_input_dropout": "keep_prob_drops_lstm_outputs",
    "lstm_learning_rate_ignored": "learning_rate_scales_the_step",
    "lstm_sgd": "optimizer_takes_an_adam_step",
    "lstm_sgd_ref_variables": "optimizer_takes_an_adam_step",
    "lstm_shared_cell": "lstm_layers_stacks_cells",
    "lstm_size_ignored": "lstm_size_sizes_the_cells",
}
"""Each buggy LSTM submission's one mistake, and the one hidden test whose clause it breaks."""


def test_every_buggy_lstm_submission_has_its_clause():
    import submissions

    assert sorted(OWN_CLAUSE) == sorted(p.stem for p in submissions.BUGGY if p.stem[:5] == "lstm_")


@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(OWN_CLAUSE))
def test_a_buggy_lstm_fails_its_own_clause_only(bug, tmp_path):
    import submissions

    failed = hidden_failures(spliced_lstm(submissions.HERE / "buggy" / f"{bug}.py", tmp_path / "s"))
    assert list(failed) == [OWN_CLAUSE[bug]], failed
