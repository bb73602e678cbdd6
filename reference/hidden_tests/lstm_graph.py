"""Hidden tests of the ``lstm_graph`` question: one per clause of ``build_graph``'s contract.

The submission's graph is built and run in the sandbox through ``probes``;
everything it reports is checked here against a numpy LSTM, so grading needs
no TensorFlow in the grader's process.

Each parameter's test builds the graph at the public tests' ``CONFIG`` and
again with only that parameter changed (``VARIED``; ``n_words`` and
``embed_size``, the embedding's two dimensions, change together), and looks
for its effect at both.
Each returned key's test checks that key's own effect, as far as possible
without relying on the others: numpy comparisons use weights shaped like the
graph's actual variables (so a wrong ``lstm_size`` costs only its own test),
``cost`` and ``accuracy`` are fed chosen ``predictions``, ``predictions`` is fed
chosen ``outputs``. When another clause's fault keeps a test from seeing its
own, the failure says so and names that clause's test.

``cost`` and ``accuracy`` are defined by VALUE (the contract's docstring says
so): they must be those of the values ``predictions`` takes, from whatever
tensor they are computed. Chosen predictions are fed first (to the tensor
``predictions`` copies, if it is a ``tf.identity``); where that does not give
the contract's values, the graph's own predictions (spread over (0, 1) by
feeding chosen ``outputs``) are fetched with ``cost`` or ``accuracy`` in the
same run and the values compared. Only when both disagree does the test fail:
on the fed values where they reached ``cost`` or ``accuracy``, else on the
graph's own.

Why one module of about a thousand lines: the manifest maps a question to one hidden-tests
module, and this question's contract has twenty clauses; each test sits beside the numpy
LSTM and the graph queries it shares with the others.
"""

import numpy as np

from autograder.authoring import CheckFailure, expect, known_mistake, show, student_call

from ._maths import lstm_forward as _lstm_forward
from ._maths import make_weights as _make_weights
from ._maths import sigmoid
from ._mistakes import words

CONFIG = {  # the public tests' sizes: one graph serves both (graphs cost more than sessions)
    "n_words": 10,
    "lstm_size": 8,
    "lstm_layers": 1,
    "batch_size": 4,
    "learning_rate": 0.001,
    "embed_size": 6,
}
TWO_LAYERS = {**CONFIG, "lstm_layers": 2}  # the public two-layer test's graph too
VARIED = {
    "n_words": 13,
    "embed_size": 3,
    "lstm_size": 5,
    "batch_size": 6,
    "learning_rate": 0.01,
}
"""Each parameter's second value: unlike the defaults, CONFIG and every other size."""
KEYS = frozenset(
    "graph inputs_ labels_ keep_prob embedding initial_state outputs final_state predictions "
    "cost optimizer accuracy".split()
)
"""The keys of the dict ``build_graph`` returns, per the contract."""
FORWARD = ("inputs_", "keep_prob", "outputs", "initial_state", "final_state", "graph")
"""The keys a forward pass needs."""
PLACEHOLDERS = ("Placeholder", "PlaceholderWithDefault")
"""What a placeholder's op can be: ``tf1.placeholder_with_default`` is one too (always fed)."""


ADAM = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}  # tf1.train.AdamOptimizer's defaults
CLOSE = {"rtol": 1e-4, "atol": 1e-5}  # float32 graph against the float64 numpy LSTM


def _vary(*names: str) -> dict:
    return {**CONFIG, **{name: VARIED[name] for name in names}}


EMBEDDING = ("n_words", "embed_size")
"""Varied together: each is one dimension of the embedding's shape (one graph for both)."""


def _call(config: dict) -> str:
    return f"build_graph({', '.join(f'{k}={v}' for k, v in config.items())})"


# -- the numpy LSTM -------------------------------------------------------------------------


def _batch(config: dict, seed: int = 1, length: int = 9):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, config["n_words"], (config["batch_size"], length)).astype(np.int32)
    x[:, :2] = 0  # left padding, as the lab feeds it
    return x, rng.integers(0, 2, config["batch_size"]).astype(np.int32)


def _random_state(config: dict, seed: int) -> list:
    rng = np.random.default_rng(seed)
    shape = (config["batch_size"], config["lstm_size"])
    return [rng.uniform(-1, 1, shape).astype(np.float32) for _ in range(2 * config["lstm_layers"])]


def _swap_pairs(state: list) -> list:
    """``[c0, h0, c1, h1, ...]`` as ``[h0, c0, h1, c1, ...]``."""
    return [s for i in range(0, len(state), 2) for s in (state[i + 1], state[i])]


# -- asking the graph -------------------------------------------------------------------------


def _describe(sub, config: dict, needs=KEYS) -> dict:
    """The probes' description of ``config``'s graph; fails if it lacks a key in ``needs``."""
    call = _call(config)
    report = student_call(call, lambda: sub.probe.describe(config))
    if not isinstance(report, dict) or "keys" not in report:
        raise CheckFailure(f"{call}: could not be inspected")
    missing = set(needs) - set(report["keys"])
    if missing:
        raise CheckFailure(f"{call}: the returned dict lacks {sorted(missing)}")
    if "graph" in needs and not report.get("graph_is_tf_graph"):
        raise CheckFailure(
            f"{call}: this fails because model['graph'] is not a tf.Graph",
            see="graph_holds_every_part",
        )
    return report


def _run(sub, what: str, config: dict, cases: list, weights=None) -> list:
    return student_call(what, lambda: sub.probe.run(config, cases, weights))


def _shapes(report: dict) -> list:
    return [shape for _, shape in report.get("variables", [])]


def _layout(report: dict) -> dict | None:
    """The sizes the graph's trainable variables actually have, or None if they are not an
    embedding, a ``[in + h, 4h]`` kernel and ``[4h]`` bias per LSTM layer, a ``[h, 1]``
    dense kernel and a ``[1]`` bias, in that order (the probes list them by role, whatever
    the order they were created in)."""
    shapes = _shapes(report)
    if len(shapes) < 5 or len(shapes) % 2 == 0:
        return None
    if any(s is None or None in s for s in shapes):
        return None
    (embedding, *cells, kernel, bias) = shapes
    if len(embedding) != 2 or len(cells[0]) != 2 or cells[0][1] % 4:
        return None
    h = cells[0][1] // 4
    wanted = []
    for i in range(len(cells) // 2):
        wanted += [[(embedding[1] if i == 0 else h) + h, 4 * h], [4 * h]]
    if cells != wanted or kernel != [h, 1] or bias != [1]:
        return None
    return {
        "n_words": embedding[0],
        "embed_size": embedding[1],
        "lstm_size": h,
        "lstm_layers": len(cells) // 2,
    }


def _actual(sub, config: dict, needs=FORWARD) -> dict:
    """``config`` with the sizes its graph really has, for the numpy LSTM and the batches.

    So a graph that ignores, say, ``lstm_size`` is still compared with an LSTM of its
    own size here, and loses only that parameter's test.
    """
    report = _describe(sub, config, needs)
    layout = _layout(report)
    if layout is None:
        got = ", ".join(f"{name} {shape}" for name, shape in report.get("variables", []))
        cells = len(_shapes(report)) - 3
        raise CheckFailure(
            f"this fails because with {_call(config)} the graph is not sized as an LSTM, so "
            "it cannot be compared with one: its trainable variables should be an embedding, "
            "a kernel [inputs + lstm_size, 4 * lstm_size] and a bias [4 * lstm_size] per "
            "BasicLSTMCell layer, and the dense layer's kernel [lstm_size, 1] and bias [1]; "
            f"they are: {got}",
            see="lstm_size_sizes_the_cells"
            if cells == 2 * config["lstm_layers"]
            else "lstm_layers_stacks_cells",
        )
    return {**config, **layout, "batch_size": _state_rows(report, config)}


def _state_rows(report: dict, config: dict) -> int:
    """The rows a batch must have: the zero state's, if static (else batch_size's)."""
    states = report.get("initial_state") or [None]
    rows = states[0][0] if states[0] else None
    return rows if isinstance(rows, int) else config["batch_size"]


def _rows(report: dict, key: str, config: dict) -> int:
    """How many rows a tensor fed in place of ``key`` must have (its static batch, if any)."""
    shape = (report.get(key) or {}).get("shape")
    rows = shape[0] if shape else None
    return rows if isinstance(rows, int) else config["batch_size"]


def _numpy_outputs_ok(sub, config: dict, seed: int) -> bool:
    """Whether the graph's outputs from the zero state are the numpy LSTM's (the outputs test)."""
    actual = _actual(sub, config)
    weights = _make_weights(actual, seed)
    x, _ = _batch(actual, seed)
    [got] = _run(sub, "a forward pass", config, [{"x": x, "fetch": ["outputs"]}], weights)
    _, outputs, _ = _lstm_forward(weights, x)
    return np.shape(got["outputs"]) == outputs.shape and np.allclose(
        got["outputs"], outputs, **CLOSE
    )


# -- the parameters ---------------------------------------------------------------------------


def _follows(
    name: str, seen: dict, wanted: dict, what: str, hint: str = "", mistake: str | None = None
) -> None:
    """Fail unless ``seen[v] == wanted[v]`` at both values ``v`` of the parameter ``name``
    (``mistake``: the known one ``hint`` names, if any)."""
    if all(seen[v] == wanted[v] for v in seen):
        return
    first, second = seen
    ignored = seen[first] == seen[second]
    raise CheckFailure(
        f"{what} should follow {name}: "
        + "; ".join(f"with {name}={v} it should be {wanted[v]}, it is {seen[v]}" for v in seen)
        + (f". It does not change: {words.ignored(name)}" if ignored else "")
        + hint,
        mistake=words.ignored(name) if ignored else mistake,
    )


def _embedding_shapes(sub, name: str) -> dict:
    return {
        config[name]: _describe(sub, config, ["embedding"])["embedding"]["shape"]
        for config in (CONFIG, _vary(*EMBEDDING))
    }


def n_words_sets_the_embedding_rows(sub, ref):
    shapes = _embedding_shapes(sub, "n_words")
    rows = {n: shape[0] if shape else None for n, shape in shapes.items()}
    hint, mistake = "", None
    if all(r == n + 1 for n, r in rows.items()):
        mistake = "adding 1 to n_words"
        hint = f". {words.gives(mistake)}: it already counts the padding row 0"
    _follows("n_words", rows, {n: n for n in rows}, "the embedding's rows", hint, mistake)


def embed_size_sets_the_embedding_width(sub, ref):
    shapes = _embedding_shapes(sub, "embed_size")
    widths = {e: shape[1] if shape and len(shape) == 2 else None for e, shape in shapes.items()}
    hint = ""
    if widths[CONFIG["embed_size"]] == CONFIG["lstm_size"]:
        hint = " (it is lstm_size)"
    _follows("embed_size", widths, {e: e for e in widths}, "the embedding's width", hint)


def _rank(shape: list | None, rank: int) -> bool:
    return shape is not None and len(shape) == rank and None not in shape


def _last(shapes: list) -> list:
    return sorted({(s or [None])[-1] for s in shapes}, key=str)


def lstm_size_sizes_the_cells(sub, ref):
    seen: dict[str, dict] = {}
    wanted: dict[str, dict] = {}
    unknown = False
    for config in (CONFIG, _vary("lstm_size")):
        h = config["lstm_size"]
        report = _describe(sub, config, ["outputs", "initial_state", "final_state", "graph"])
        shapes = _shapes(report)
        cells = shapes[1:-2]  # between the embedding and the dense kernel and bias
        for what, got, want in (
            ("the LSTM kernels' columns", sorted({s[1] for s in cells if _rank(s, 2)}), [4 * h]),
            ("the LSTM biases' lengths", sorted({s[0] for s in cells if _rank(s, 1)}), [4 * h]),
            ("the dense kernel's rows", [s[0] for s in shapes[-2:-1] if _rank(s, 2)], [h]),
            ("the last dimension of outputs", _last([report["outputs"]["shape"]]), [h]),
            ("the last dimension of initial_state's parts", _last(report["initial_state"]), [h]),
            ("the last dimension of final_state's parts", _last(report["final_state"]), [h]),
        ):
            if got == [None]:  # not known before running: the run below sees it
                got, unknown = want, True
            seen.setdefault(what, {})[h] = got
            wanted.setdefault(what, {})[h] = want
    for what in seen:
        _follows(
            "lstm_size",
            seen[what],
            wanted[what],
            what,
            ". lstm_size is the number of units of every LSTM layer, whose output the dense "
            "layer reads",
        )

    if not unknown:
        return
    # the sizes only known at run time
    config = _vary("lstm_size")
    actual = {**config, "batch_size": _state_rows(report, config)}
    x, _ = _batch(actual)
    [got] = _run(
        sub,
        f"a forward pass with lstm_size={config['lstm_size']}",
        config,
        [{"x": x, "fetch": ["outputs", "final_state"]}],
    )
    expect(
        np.shape(got["outputs"]),
        (len(x), x.shape[1], config["lstm_size"]),
        f"with lstm_size={config['lstm_size']}, the shape of outputs for a {x.shape} batch",
    )
    expect(
        [np.shape(s) for s in got["final_state"]],
        [(len(x), config["lstm_size"])] * 2,
        f"with lstm_size={config['lstm_size']}, the shapes of the final_state parts (c, h)",
    )


def lstm_layers_stacks_cells(sub, ref):
    for config in (CONFIG, TWO_LAYERS):
        layers = config["lstm_layers"]
        try:
            report = _describe(sub, config, ["initial_state", "final_state", "graph"])
        except CheckFailure as failure:
            if layers != 2:
                raise
            raise CheckFailure(
                f"{failure}. {words.likely(words.SHARED_CELL)}", mistake=words.SHARED_CELL
            ) from None
        layout = _layout(report)
        cells = _shapes(report)[1:-2]
        if layout is None or layout["lstm_layers"] != layers:
            shared = layers == 2 and len(cells) < 2 * layers
            raise CheckFailure(
                f"with lstm_layers={layers} the LSTM should have {layers} kernel(s) and "
                f"bias(es), one pair per layer, its own in each layer; between the embedding "
                f"and the dense layer the trainable variables have shapes {cells}."
                + (f" {words.likely(words.SHARED_CELL)}" if shared else ""),
                mistake=words.SHARED_CELL if shared else None,
            )
        for key in ("initial_state", "final_state"):
            if len(report[key]) != 2 * layers:
                raise CheckFailure(
                    f"with lstm_layers={layers}, {key} should hold one (c, h) pair per layer, "
                    f"{2 * layers} tensors; it holds {len(report[key])}: {report[key]}"
                )
    # two stacked layers compute what the numpy LSTM's two layers do
    actual = _actual(sub, TWO_LAYERS)
    weights = _make_weights(actual, seed=12)
    x, _ = _batch(actual, seed=11)
    [got] = _run(
        sub, "a forward pass with two layers", TWO_LAYERS, [{"x": x, "fetch": ["outputs"]}], weights
    )
    _, outputs, _ = _lstm_forward(weights, x)
    try:
        expect(got["outputs"], outputs, "lstm_layers=2: outputs of the stacked LSTM", **CLOSE)
    except CheckFailure as failure:
        if not _numpy_outputs_ok(sub, CONFIG, seed=12):
            return  # wrong with one layer too: the outputs test's clause, and it says so
        raise CheckFailure(
            f"{failure}. With one layer they are right: the fault is in how the layers are stacked"
        ) from None


def batch_size_sets_the_zero_state(sub, ref):
    rows = {}
    static = _describe(sub, CONFIG, ["initial_state"])["initial_state"]
    if static and all(s and isinstance(s[0], int) for s in static):
        rows[CONFIG["batch_size"]] = sorted({s[0] for s in static})  # known without running
    for config in (CONFIG, _vary("batch_size")):
        b = config["batch_size"]
        if b in rows:
            continue
        what = (
            f"with batch_size={b}, evaluating initial_state with nothing fed (the lab's "
            "loop does sess.run(initial_state) before its first batch)"
        )
        try:
            [got] = _run(sub, what, config, [{"keep_prob": None, "fetch": ["initial_state"]}])
        except CheckFailure as failure:
            raise CheckFailure(f"{failure}. {words.NEEDS_FEED}") from None
        rows[b] = sorted(
            {np.shape(s)[0] if np.ndim(s) else None for s in got["initial_state"]}, key=str
        )
    _follows(
        "batch_size",
        rows,
        {b: [b] for b in rows},
        "the rows of every initial_state part (the zero state for batch_size rows)",
    )


def _steps(sub, config: dict, weights=None, gradients: bool = False) -> dict:
    report = _describe(sub, config, ["inputs_", "labels_", "keep_prob", "cost", "optimizer"])
    x, y = _batch({**config, "batch_size": _state_rows(report, config)}, seed=5)
    return student_call(
        f"the lab's training step (running optimizer) at learning_rate={config['learning_rate']}",
        lambda: sub.probe.train_step(config, x, y, weights=weights, gradients=gradients),
    )


def learning_rate_scales_the_step(sub, ref):
    small, large = CONFIG, _vary("learning_rate")
    try:
        first = _steps(sub, small, gradients=True)  # the optimizer test's step, kept
        second = _steps(sub, large, weights=first["before"])  # the same start, the same batch
    except CheckFailure as failure:
        raise CheckFailure(
            f"{failure}. This fails because the optimizer does not run",
            see="optimizer_takes_an_adam_step",
        ) from None
    moved = [
        sum(
            float(np.abs(np.asarray(a, float) - np.asarray(b, float)).sum())
            for a, b in zip(step["after"], step["before"], strict=True)
        )
        for step in (first, second)
    ]
    if moved[0] == 0 or moved[1] == 0:
        raise CheckFailure(
            "this fails because one optimizer step changes no trainable variable, so the "
            "effect of learning_rate cannot be seen",
            see="optimizer_takes_an_adam_step",
        )
    ratio, wanted = moved[1] / moved[0], large["learning_rate"] / small["learning_rate"]
    if abs(ratio / wanted - 1) > 0.02:
        ignored = abs(ratio - 1) < 0.02
        raise CheckFailure(
            f"from the same weights and batch, one step at learning_rate="
            f"{large['learning_rate']} should move the weights {wanted:g} times as far as at "
            f"learning_rate={small['learning_rate']}; it moves them {ratio:.2f} times as far"
            + (f": {words.ignored('learning_rate')}" if ignored else ""),
            mistake=words.ignored("learning_rate") if ignored else None,
        )


# -- the returned keys --------------------------------------------------------------------------


def _placeholder(report: dict, key: str, dtype: str, shapes: tuple) -> None:
    info = report[key]
    if info.get("op") not in PLACEHOLDERS:
        raise CheckFailure(f"{key} should be a placeholder, it is a {info.get('op')} op")
    if info.get("dtype") != dtype:
        raise CheckFailure(f"{key} should be {dtype}, it is {info.get('dtype')}")
    if info.get("shape") not in shapes:
        raise CheckFailure(f"{key} should have shape {shapes[0]}, it has {info.get('shape')}")


def placeholders_drive_the_graph(sub, ref):
    report = _describe(
        sub, CONFIG, ["inputs_", "labels_", "keep_prob", "outputs", "predictions", "cost"]
    )
    _placeholder(report, "inputs_", "int32", ([None, None],))
    _placeholder(report, "labels_", "int32", ([None, None],))
    actual = {**CONFIG, "batch_size": _state_rows(report, CONFIG)}
    x, _ = _batch(actual, seed=2)
    b = len(x)
    order = np.roll(np.arange(b), 1)
    fetch = ["outputs", "predictions", "cost"]
    labels = [np.zeros(b, np.int32), np.ones(b, np.int32), np.arange(b, dtype=np.int32) % 2]
    cases = [{"x": x, "y": y, "fetch": fetch} for y in labels]
    cases += [{"x": x[order], "y": labels[0], "fetch": ["outputs"]}]
    cases += [{"x": x[:, :5], "y": labels[0], "fetch": ["outputs"]}]
    runs = _run(sub, "forward passes with different inputs_ and labels_", CONFIG, cases)
    base = runs[0]
    for run, y in zip(runs[1:3], labels[1:], strict=True):
        for key in ("outputs", "predictions"):
            expect(
                run[key],
                base[key],
                f"{key} with labels_ {y} instead of {labels[0]} (labels_ should only change cost)",
                rtol=0,
                atol=0,
            )
    costs = [float(r["cost"]) for r in runs[:3]]
    if len(set(costs)) == 1:
        raise CheckFailure(
            f"feeding labels_ {[y.tolist() for y in labels]} gives the same cost {costs[0]}: "
            "this fails because cost does not compare labels_ with predictions",
            see="cost_is_the_mean_squared_error",
        )
    expect(
        runs[3]["outputs"],
        base["outputs"][order],
        "outputs with the rows of inputs_ reordered (inputs_ is [batch, time]: each row a review)",
        **CLOSE,
    )
    expect(
        runs[4]["outputs"],
        base["outputs"][:, :5],
        "outputs for the first 5 time steps of inputs_ alone (inputs_ is [batch, time])",
        **CLOSE,
    )


def keep_prob_drops_lstm_outputs(sub, ref):
    report = _describe(sub, CONFIG, ["inputs_", "keep_prob", "outputs", "predictions"])
    _placeholder(report, "keep_prob", "float32", ([], None))  # None: the sheet's shapeless one
    actual = {**CONFIG, "batch_size": _state_rows(report, CONFIG)}
    x, _ = _batch(actual, seed=3)
    fetch = ["outputs", "predictions"]
    cases = [{"x": x, "keep_prob": p, "fetch": fetch} for p in (1.0, 1.0, 0.5, 0.5, 0.5)]
    runs = _run(sub, "forward passes at keep_prob 1 and 0.5", CONFIG, cases)
    expect(
        runs[1]["outputs"], runs[0]["outputs"], "two runs with keep_prob=1: outputs", rtol=0, atol=0
    )
    expect(
        runs[1]["predictions"],
        runs[0]["predictions"],
        "two runs with keep_prob=1: predictions",
        rtol=0,
        atol=0,
    )
    full, dropped = np.asarray(runs[0]["outputs"]), [np.asarray(r["outputs"]) for r in runs[2:]]
    if all(np.array_equal(dropped[0], d) for d in dropped[1:]):
        where = (
            " (the predictions do vary: the dropout comes after the LSTM's outputs)"
            if not all(np.array_equal(runs[2]["predictions"], r["predictions"]) for r in runs[3:])
            else ""
        )
        raise CheckFailure(
            f"three runs with keep_prob=0.5 gave the same outputs{where}: keep_prob drops "
            "none of the LSTM's outputs"
        )
    if _layout(report) is not None and _layout(report)["lstm_layers"] == 1:
        # one layer: dropout on its outputs zeroes each with probability 1/2 and doubles the rest
        for d in dropped:
            zero = np.isclose(d, 0, atol=1e-7)
            doubled = np.isclose(d, 2 * full, rtol=1e-4, atol=1e-6)
            if not np.all(zero | doubled) or not 0.25 <= zero.mean() <= 0.75:
                raise CheckFailure(
                    "with keep_prob=0.5 every output should be 0 or twice its keep_prob=1 value "
                    f"(about half of them 0); {zero.mean():.0%} are 0 and "
                    f"{np.mean(~zero & ~doubled):.0%} are neither: {words.DROPOUT_REACH}"
                )


def embedding_is_the_lookup_table(sub, ref):
    report = _describe(sub, CONFIG, ["inputs_", "embedding", "outputs"])
    info = report["embedding"]
    shape = info["shape"]
    if not info.get("variable") or shape is None or len(shape) != 2 or None in shape:
        raise CheckFailure(
            f"embedding should be the embedding variable ([n_words, embed_size]); it is a "
            f"{info.get('op')} op of shape {shape}"
        )
    n, e = shape
    if n < 3:
        raise CheckFailure(
            f"this fails because the embedding has only {n} rows",
            see="n_words_sets_the_embedding_rows",
        )
    rng = np.random.default_rng(9)
    actual = {**CONFIG, "batch_size": _state_rows(report, CONFIG)}
    used = min(n - 1, 5)  # rows 0 .. used-1 appear in the batch; the rest do not
    x = rng.integers(0, used, (actual["batch_size"], 7)).astype(np.int32)
    x[0, -1] = 1  # the row changed below is used, at the last step
    table = rng.uniform(-1, 1, (n, e)).astype(np.float32)
    perm = rng.permutation(n)
    unused = table.copy()
    unused[used:] = rng.uniform(-1, 1, (n - used, e))
    changed = table.copy()
    changed[1] = rng.uniform(-1, 1, e)
    cases = [
        {"embedding": table, "x": x, "fetch": ["outputs"]},
        {"embedding": table[perm], "x": np.argsort(perm)[x].astype(np.int32), "fetch": ["outputs"]},
        {"embedding": unused, "x": x, "fetch": ["outputs"]},
        {"embedding": changed, "x": x, "fetch": ["outputs"]},
    ]
    runs = _run(sub, "forward passes with chosen embeddings", CONFIG, cases)
    base = runs[0]["outputs"]
    if np.allclose(runs[3]["outputs"], base, rtol=0, atol=0):
        raise CheckFailure(
            "changing the row of a word the batch uses, in the returned embedding, does not "
            "change the outputs: the inputs are not read from this variable"
        )
    expect(
        runs[1]["outputs"],
        base,
        "outputs with the embedding's rows reordered and inputs_ renumbered to match (word i "
        "should be row i of the embedding)",
        **CLOSE,
    )
    if used < n:
        expect(
            runs[2]["outputs"],
            base,
            "outputs after changing only the embedding rows of words not in the batch",
            **CLOSE,
        )


def initial_state_starts_the_lstm(sub, ref):
    actual = _actual(sub, CONFIG)
    weights = _make_weights(actual, seed=20)
    x, _ = _batch(actual, seed=21)
    state = _random_state(actual, seed=22)
    zeros = [np.zeros_like(s) for s in state]
    fetch = ["outputs", "initial_state"]
    cases = [
        {"x": x, "fetch": fetch},
        {"x": x, "state": zeros, "fetch": ["outputs"]},
        {"x": x, "state": state, "fetch": ["outputs"]},
    ]
    runs = _run(sub, "forward passes with initial_state fed", CONFIG, cases, weights)
    values = runs[0]["initial_state"]
    if not all(np.all(np.asarray(v) == 0) for v in values):
        raise CheckFailure(
            "initial_state should be the zero state; "
            f"it evaluates to {show(np.asarray(values[0]))}, ..."
        )
    expect(
        runs[1]["outputs"],
        runs[0]["outputs"],
        "outputs with zeros fed to initial_state, against nothing fed",
        **CLOSE,
    )
    if np.allclose(runs[2]["outputs"], runs[0]["outputs"], **CLOSE):
        raise CheckFailure(
            "feeding a random state to initial_state does not change the outputs: the LSTM "
            "does not start from initial_state"
        )
    _, outputs, _ = _lstm_forward(weights, x, state)
    _, swapped, _ = _lstm_forward(weights, x, _swap_pairs(state))
    try:
        expect(
            runs[2]["outputs"],
            outputs,
            "outputs of the LSTM started from a fed initial_state",
            mistakes={"starting from the state read as (h, c) pairs": swapped},
            **CLOSE,
        )
    except CheckFailure:
        _, from_zero, _ = _lstm_forward(weights, x)
        if not np.allclose(runs[0]["outputs"], from_zero, **CLOSE):
            return  # wrong from the zero state too: the outputs test's clause, and it says so
        raise


def outputs_are_every_steps_output(sub, ref):
    actual = _actual(sub, CONFIG)
    weights = _make_weights(actual, seed=30)
    x, _ = _batch(actual, seed=31)
    [got] = _run(sub, "a forward pass", CONFIG, [{"x": x, "fetch": ["outputs"]}], weights)
    _, outputs, _ = _lstm_forward(weights, x)
    got = np.asarray(got["outputs"])
    expect(got.shape, outputs.shape, f"outputs for a {x.shape} batch: [batch, time, lstm_size]")
    for t in range(x.shape[1]):
        _, no_forget_bias, _ = _lstm_forward(weights, x[:, : t + 1], forget_bias=0.0)
        expect(
            got[:, t],
            outputs[:, t],
            f"outputs[:, {t}], the LSTM's output at step {t} of {x.shape[1]}",
            mistakes={"an LSTM cell with forget_bias=0": no_forget_bias[:, t]},
            **CLOSE,
        )


def _check_final_state(sub, config: dict, seed: int, *, required: bool) -> None:
    """final_state against numpy for ``config``; if not ``required``, skip quietly when
    the stacked outputs are wrong (the lstm_layers test's clause)."""
    actual = _actual(sub, config)
    layers = actual["lstm_layers"]
    weights = _make_weights(actual, seed)
    x1, _ = _batch(actual, seed + 1)
    x2, _ = _batch(actual, seed + 2)
    state = _random_state(actual, seed + 3)
    runs = _run(
        sub,
        f"forward passes with lstm_layers={layers}",
        config,
        [
            {"x": x1, "fetch": ["outputs", "final_state"]},
            {"x": x1, "state": state, "fetch": ["outputs", "final_state"]},
            {"x": x2, "carry": True, "fetch": ["outputs"]},  # as the lab's loop feeds it
        ],
        weights,
    )
    _, zero_outputs, _ = _lstm_forward(weights, x1)
    _, outputs, final = _lstm_forward(weights, x1, state)
    outputs_ok = np.allclose(runs[0]["outputs"], zero_outputs, **CLOSE)
    if not required and not outputs_ok:
        return
    got = runs[1]["final_state"]
    what = f"lstm_layers={layers}: final_state after a batch from a fed initial_state"
    expect(len(got), 2 * layers, f"{what}: its tensors (c, h per layer, like initial_state)")
    if not outputs_ok or not np.allclose(runs[1]["outputs"], outputs, **CLOSE):
        # the LSTM itself is off: final_state can still be the state after the LAST step of it
        last_h = np.asarray(runs[1]["outputs"])[:, -1]
        expect(
            got[-1],
            last_h,
            f"{what}: its last h should be the last step's output (keep_prob=1)",
            mistakes={"the initial_state": state[-1]},
            **CLOSE,
        )
        return
    _, _, after_first = _lstm_forward(weights, x1[:, :1], state)
    expect(
        got,
        final,
        what,
        mistakes={
            "the initial_state": state,
            "the state after the FIRST step": after_first,
            "(h, c) pairs for each layer": _swap_pairs(final),
        },
        **CLOSE,
    )
    _, expected, _ = _lstm_forward(weights, x2, got)  # from the float32 state fed
    expect(
        runs[2]["outputs"],
        expected,
        f"lstm_layers={layers}: outputs of a second batch with initial_state fed the first's "
        "final_state",
        **CLOSE,
    )


def final_state_is_the_last_steps_state(sub, ref):
    _check_final_state(sub, CONFIG, seed=40, required=True)
    try:  # two layers too, when they build and stack right (else the lstm_layers test says)
        _describe(sub, TWO_LAYERS, ["final_state", "initial_state", "outputs", "graph"])
        _actual(sub, TWO_LAYERS)
    except CheckFailure:
        return
    _check_final_state(sub, TWO_LAYERS, seed=45, required=False)


def _dense(report: dict, values: list) -> tuple | None:
    """The dense layer's (kernel [h, 1], bias [1]) values: the last such trainable variables."""
    shapes = _shapes(report)
    kernels = [i for i, s in enumerate(shapes) if s and len(s) == 2 and s[1] == 1]
    biases = [i for i, s in enumerate(shapes) if s == [1]]
    if not kernels or not biases:
        return None
    return np.asarray(values[kernels[-1]], float), np.asarray(values[biases[-1]], float)


def predictions_from_the_last_step(sub, ref):
    report = _describe(sub, CONFIG, ["inputs_", "outputs", "predictions", "final_state", "graph"])
    shape = report["predictions"]["shape"]
    if shape is None or len(shape) != 2 or shape[1] != 1:
        raise CheckFailure(f"predictions should have shape [batch, 1], one per review, not {shape}")
    actual = {**CONFIG, "batch_size": _state_rows(report, CONFIG)}
    x, _ = _batch(actual, seed=50)
    out_shape = report["outputs"]["shape"] or [None]
    h = out_shape[-1] if isinstance(out_shape[-1], int) else CONFIG["lstm_size"]
    fed = np.random.default_rng(51).normal(0, 1, (len(x), x.shape[1], h)).astype(np.float32)
    runs = _run(
        sub,
        "forward passes, one with outputs fed",
        CONFIG,
        [
            {"x": x, "fetch": ["outputs", "predictions", "final_state", "variables"]},
            {"x": x, "feed": {"outputs": fed}, "fetch": ["predictions"]},
        ],
    )
    dense = _dense(report, runs[0]["variables"])
    if dense is None:
        raise CheckFailure(
            "no dense layer of one unit among the trainable variables (a kernel [lstm_size, 1] "
            "and a bias [1]) for predictions to come from"
        )
    kernel, bias = dense

    def unit(values, squash=True):
        z = np.asarray(values, float) @ kernel + bias
        return sigmoid(z) if squash else z

    got, plain = np.asarray(runs[1]["predictions"]), np.asarray(runs[0]["predictions"])
    expect(got.shape, (len(x), 1), f"predictions for a {x.shape} batch: shape")
    if np.array_equal(got, plain) and not np.allclose(unit(fed[:, -1]), plain, **CLOSE):
        # feeding outputs changed nothing: predictions come from some other tensor
        outputs = np.asarray(runs[0]["outputs"])
        expect(
            plain,
            unit(outputs[:, -1]),
            "predictions, which do not change when outputs is fed, against the dense sigmoid "
            "unit on the last time step's output",
            mistakes={"the FIRST time step's output": unit(outputs[:, 0])},
            **CLOSE,
        )
        return
    expect(
        got,
        unit(fed[:, -1]),
        "predictions with chosen values fed to outputs: the dense sigmoid unit on outputs[:, -1]",
        mistakes={
            "the FIRST time step's output": unit(fed[:, 0]),
            "the mean of the outputs over the time steps": unit(fed.mean(axis=1)),
            "the dense layer without its sigmoid": unit(fed[:, -1], squash=False),
        },
        **CLOSE,
    )


def _fed_predictions(rows: int) -> list:
    """Batches of predictions on both sides of 0.5, some near it; each pair straddles 0.5."""
    values = np.array([0.3, 0.51, 0.45, 0.7, 0.02, 0.55, 0.49, 0.98], np.float32)
    return [np.resize(np.roll(values, 2 * k), rows).reshape(-1, 1) for k in range(4)]


def _fed_labels(predictions: list) -> list:
    rows = len(predictions[0])
    return [
        np.round(predictions[0]).astype(np.int32).ravel(),
        (1 - np.round(predictions[1])).astype(np.int32).ravel(),
        (np.arange(rows) % 2).astype(np.int32),
        np.ones(rows, np.int32),
    ]


def _cost_variants(p, y) -> dict:
    p, y = np.asarray(p, float).ravel(), np.asarray(y, float).ravel()
    eps = 1e-7
    squares = (y - p) ** 2
    return {
        "expected": float(squares.mean()),
        "cross-entropy": float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))),
        words.SUM_OF_SQUARES: float(squares.sum()),
        words.ROOT_MSE: float(np.sqrt(squares.mean())),
        words.HALF_MSE: float(squares.mean() / 2),
    }


def _own_predictions(sub, report: dict, key: str, seed: int) -> list:
    """``(predictions, labels, value of key)`` of forward passes on the graph's own
    predictions, with four sets of labels and chosen outputs fed where they can be."""
    rows = _rows(report, "predictions", CONFIG)
    x, _ = _batch({**CONFIG, "batch_size": rows}, seed=seed)
    shape = (report.get("outputs") or {}).get("shape") or [None]
    h = shape[-1] if isinstance(shape[-1], int) else CONFIG["lstm_size"]
    rng = np.random.default_rng(seed)
    labels = [np.zeros(rows), np.ones(rows), np.arange(rows) % 2, rng.integers(0, 2, rows)]
    cases = [
        {"x": x, "y": y.astype(np.int32), "fetch": ["predictions", key]}
        | {"feed": {"outputs": rng.normal(0, 3, (rows, x.shape[1], h)).astype(np.float32)}}
        for y in labels
    ]
    what = f"{key} with the graph's own predictions"
    try:
        runs = _run(sub, what, CONFIG, cases)
    except CheckFailure:  # outputs cannot be fed: the predictions the graph makes itself
        runs = _run(sub, what, CONFIG, [{k: v for k, v in c.items() if k != "feed"} for c in cases])
    return [(r["predictions"], y, r[key]) for r, y in zip(runs, labels, strict=True)]


def _by_value(sub, report: dict, key: str, check, fed: list, seed: int) -> None:
    """``check`` on the fed cases; where they fail, on the graph's own predictions (the
    contract defines ``key`` by value). Both failing: the fed cases' failure, unless the fed
    predictions never reached ``key`` (every fed case gave one value)."""
    try:
        check(fed, "(fed)")
    except CheckFailure as failure:
        reached = len({float(value) for _, _, value in fed}) > 1
        try:
            check(_own_predictions(sub, report, key, seed), "(the graph's own)")
        except CheckFailure:
            if reached:
                raise failure from None
            raise


def cost_is_the_mean_squared_error(sub, ref):
    report = _describe(sub, CONFIG, ["inputs_", "labels_", "predictions", "cost"])
    expect(report["cost"]["shape"], [], "cost should be a scalar: its shape")
    rows = _rows(report, "predictions", CONFIG)
    x, _ = _batch({**CONFIG, "batch_size": rows}, seed=60)
    predictions = _fed_predictions(rows)
    labels = _fed_labels(predictions)
    cases = [
        {"x": x, "y": y, "feed": {"predictions": p}, "fetch": ["cost"]}
        for p, y in zip(predictions, labels, strict=True)
    ]
    runs = _run(sub, "cost with chosen predictions fed", CONFIG, cases)
    fed = [(p, y, r["cost"]) for p, y, r in zip(predictions, labels, runs, strict=True)]
    _by_value(sub, report, "cost", _check_costs, fed, seed=61)


def _check_costs(cases: list, whose: str) -> None:
    for p, y, got in cases:
        variants = _cost_variants(p, y)
        expected = variants.pop("expected")
        expect(
            float(got),
            expected,
            f"cost for predictions {np.ravel(p).astype(float).round(3).tolist()} {whose} and "
            f"labels_ {np.ravel(y).astype(int).tolist()}: the mean squared error",
            rtol=1e-4,
            atol=1e-6,
            mistakes=variants,
        )


def accuracy_rounds_predictions(sub, ref):
    report = _describe(sub, CONFIG, ["inputs_", "labels_", "predictions", "accuracy"])
    expect(report["accuracy"]["shape"], [], "accuracy should be a scalar: its shape")
    rows = _rows(report, "predictions", CONFIG)
    x, _ = _batch({**CONFIG, "batch_size": rows}, seed=70)
    predictions = _fed_predictions(rows)
    labels = _fed_labels(predictions)
    cases = [
        {"x": x, "y": y, "feed": {"predictions": p}, "fetch": ["accuracy"]}
        for p, y in zip(predictions, labels, strict=True)
    ]
    runs = _run(sub, "accuracy with chosen predictions fed", CONFIG, cases)
    fed = [(p, y, r["accuracy"]) for p, y, r in zip(predictions, labels, runs, strict=True)]
    _by_value(sub, report, "accuracy", _check_accuracies, fed, seed=71)


def _check_accuracies(cases: list, whose: str) -> None:
    got = [float(value) for _, _, value in cases]
    pairs = [(np.asarray(p, float), np.asarray(y).astype(int)) for p, y, _ in cases]

    def accuracy(rounded):
        return [float(np.mean(rounded(p).ravel() == y)) for p, y in pairs]

    expected = accuracy(np.round)
    mistakes = {
        "tf.cast without tf.round (it truncates every prediction in (0, 1) to 0)": accuracy(
            np.trunc
        ),
        "tf.ceil (it makes every prediction 1)": accuracy(np.ceil),
        "comparing a [batch] row with a [batch, 1] column (they broadcast to [batch, batch])": [
            float(np.mean(np.round(p).reshape(-1, 1) == y.reshape(1, -1))) for p, y in pairs
        ],
        words.CORRECT_COUNT: [float(np.sum(np.round(p).ravel() == y)) for p, y in pairs],
    }
    for (p, y), value, wanted in zip(pairs, got, expected, strict=True):
        if not np.isclose(value, wanted, rtol=1e-5, atol=1e-6):
            name = known_mistake(got, mistakes, rtol=1e-5, atol=1e-6)
            raise CheckFailure(
                f"accuracy for predictions {np.ravel(p).astype(float).round(3).tolist()} "
                f"{whose} and labels_ {y.tolist()} should be the mean of round(predictions) == "
                f"labels_, {wanted}; it is {value}" + (f". {words.gives(name)}" if name else ""),
                mistake=name,
            )


def optimizer_takes_an_adam_step(sub, ref):
    report = _describe(sub, CONFIG, ["inputs_", "labels_", "cost", "optimizer", "graph"])
    step = _steps(sub, CONFIG, gradients=True)
    lr = CONFIG["learning_rate"]
    names = [name for name, _ in report["variables"]]
    grads = [np.asarray(g, float) for g in step["gradients"]]
    moves = [
        np.asarray(a, float) - np.asarray(b, float)
        for a, b in zip(step["after"], step["before"], strict=True)
    ]
    if not any(np.any(g != 0) for g in grads):
        raise CheckFailure(
            "this fails because cost does not depend on any trainable variable, so no "
            "optimizer step can lower it",
            see="cost_is_the_mean_squared_error",
        )
    for name, d, g in zip(names, moves, grads, strict=True):
        if np.any(np.abs(g) > 1e-3) and not np.any(d):
            raise CheckFailure(
                f"the optimizer does not change {name}, a trainable variable that cost depends on"
            )
    b2, eps = ADAM["beta2"], ADAM["epsilon"]
    # First Adam step: m = (1-b1) g, v = (1-b2) g^2, lr_t = lr sqrt(1-b2) / (1-b1).
    adam = [-lr * np.sqrt(1 - b2) * g / (np.sqrt(1 - b2) * np.abs(g) + eps) for g in grads]
    flat_g = np.concatenate([g.ravel() for g in grads])
    flat_d = np.concatenate([d.ravel() for d in moves])
    big = np.abs(flat_g) > 1e-3  # where Adam's epsilon (any common one) does not matter
    mistakes = {
        "plain gradient descent (GradientDescentOptimizer, whose step is learning_rate times "
        "the gradient; Adam's first step moves each weight by about learning_rate, whatever "
        "the gradient's size)": -lr * flat_g[big],
        "a step UP the gradient (the cost should go down)": -np.asarray(
            np.concatenate([a.ravel() for a in adam])
        )[big],
    }
    moved = ""
    if np.any(big) and np.any(flat_d[big]):
        size = np.median(np.abs(flat_d[big]))
        if not np.isclose(size, lr, rtol=0.05):
            # a name with no number: the words a failure shows before the due date
            mistakes["an Adam step at another learning rate"] = -size * np.sign(flat_g[big])
            moved = f"; its typical move is {size:.3g}"
    what = (
        f"one optimizer step at learning_rate={lr}: the change of the weights whose gradient "
        f"is over 1e-3 (Adam's first step is about -learning_rate * sign(gradient)){moved}"
    )
    expect(
        flat_d[big],
        np.concatenate([a.ravel() for a in adam])[big],
        what,
        rtol=0.02,
        atol=lr * 1e-3,
        mistakes=mistakes,
    )
    for name, d in zip(names, moves, strict=True):
        if np.any(np.abs(d) > lr * 1.02):
            raise CheckFailure(
                f"one Adam step at learning_rate={lr} moved {name} by up to {np.abs(d).max():.3g}: "
                "Adam's first step moves no weight by more than learning_rate"
            )


def graph_holds_every_part(sub, ref):
    reports = [_describe(sub, c, KEYS - {"graph"}) for c in (CONFIG, _vary("learning_rate"))]
    report = reports[0]
    if not report["graph_is_tf_graph"]:
        raise CheckFailure("model['graph'] should be the tf.Graph that holds every part")
    if report["graph_is_default"]:
        raise CheckFailure("build_graph builds in the default graph, not in a NEW graph of its own")
    if reports[0]["graph_id"] == reports[1]["graph_id"]:
        raise CheckFailure("two calls of build_graph returned the same graph")
    if not report["eager"]:
        raise CheckFailure(
            "after build_graph, eager execution is off: it was switched off globally"
        )
    outside = sorted(k for k, inside in report["in_graph"].items() if k in KEYS and not inside)
    if outside:
        raise CheckFailure(f"{outside} are not in model['graph']")
