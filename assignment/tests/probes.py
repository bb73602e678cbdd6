"""Look inside a submission's LSTM graph and report what is there as plain data.

They return only lists, dicts, strings and numpy arrays, which the grader
compares with its own numpy recomputation. They are not secret; they are also
what the public LSTM tests call (on your machine, next to your ``lstm`` module).

When grading, nothing is measured where the submission's code runs. Its
sandbox only builds each graph and hands it over as data (``export``: the
``MetaGraphDef``, where each returned part is in it, and the few facts only the
building process can see). A second sandbox, where no submission code ever
runs, imports it (``load``, which refuses ops that call back into Python or
touch files) and performs every probe with the grader's weights and inputs.
A submission that replaces these functions changes only what it exports, and
an exported graph is judged by what it computes.

Weights are passed in as ``{"embedding": E, "layers": [[kernel, bias], ...],
"dense": [kernel, bias]}`` and matched to the graph's trainable variables by
shape and creation order, so any variable names (``BasicLSTMCell`` or
``LSTMCell``, ``tf1.Variable`` or ``get_variable``) work. A plain list of
arrays instead gives every trainable variable its value in the graph's order.
"""

import contextlib
import random

import numpy as np

CONFIG_KEYS = ("n_words", "lstm_size", "lstm_layers", "batch_size", "learning_rate", "embed_size")
STATES = ("initial_state", "final_state")
"""Keys whose value is a nested structure of tensors: fed and fetched flat."""


REFUSED_OPS = frozenset(
    {"PyFunc", "PyFuncStateless", "EagerPyFunc", "ReadFile", "WriteFile", "MatchingFiles"}
)
"""Ops the clean sandbox never runs: they call back into Python or read and write files
(any op whose name has ``PyFunc`` in it is refused too)."""

FACTS = ("graph_is_tf_graph", "graph_is_default", "graph_id", "eager")
"""What only the building process can see; ``export`` reports it, ``describe`` repeats it."""


class ProbeError(Exception):
    """The graph does not have what the probe needs; the message says what."""


class Reported:
    """A part of the returned dict that is not in the exported graph: only its type."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


def _kind(value) -> str:
    return value.type_name if isinstance(value, Reported) else type(value).__name__


def _tf():
    import tensorflow as tf  # the worker set TF_USE_LEGACY_KERAS before anything else

    return tf


_built: dict[tuple, dict | Exception] = {}
_facts: dict[tuple, dict] = {}
_gradients: dict[int, list] = {}
_steps: dict[tuple, dict] = {}


def _key(lstm, config: dict, seed: int) -> tuple:
    """Graphs are kept per module (None: the loaded ones), config and seed."""
    return getattr(lstm, "__name__", None), tuple(sorted(config.items())), seed


def build(lstm, config: dict, seed: int = 0) -> dict:
    """``lstm.build_graph(**config)`` with every random op seeded from ``seed``.

    Graphs are kept per (config, seed): building one costs far more than a
    session, and every session on it starts its random ops afresh. A build that
    raised raises the same again, without building twice. With ``lstm`` None
    (the clean sandbox) the graph is the one ``load`` imported for that key.
    """
    key = _key(lstm, config, seed)
    if lstm is None:
        if key not in _built:
            raise ProbeError(f"no graph was loaded for {config} (seed {seed})")
    elif key not in _built:
        try:
            _built[key] = _build(lstm, config, seed)
        except Exception as error:
            _built[key] = error
            raise
    model = _built[key]
    if isinstance(model, Exception):
        raise model
    return model


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


# -- the graph as data: exported where it is built, loaded where nothing else ran ------


def export(lstm, config: dict, seed: int = 0) -> dict:
    """Build ``config``'s graph and return it as plain data for ``load``.

    ``meta_graph`` is the serialized ``MetaGraphDef`` (bytes as a uint8 array;
    None if no part is in a graph); ``parts`` says where each key of the
    returned dict is in it; ``facts`` is what only this process can see.
    """
    tf = _tf()
    model = build(lstm, config, seed)
    graph = model.get("graph")
    facts = {
        "graph_is_tf_graph": isinstance(graph, tf.Graph),
        "graph_is_default": graph is tf.compat.v1.get_default_graph(),
        "graph_id": _graph_number(graph),
        "eager": tf.executing_eagerly(),  # build_graph must not switch it off globally
    }
    if not facts["graph_is_tf_graph"]:  # described from the graph its parts are in, if any
        graph = next((g for g in map(_graph_of, model.values()) if g is not None), None)
    parts = {str(k): _locate(v, graph) for k, v in model.items() if k != "graph"}
    parts["graph"] = (
        {"graph": True} if facts["graph_is_tf_graph"] else {"reported": _kind(model.get("graph"))}
    )
    meta = None
    if graph is not None:
        with graph.as_default():  # exporting needs graph mode
            proto = tf.compat.v1.train.export_meta_graph(graph=graph, clear_devices=True)
        meta = np.frombuffer(proto.SerializeToString(), dtype=np.uint8)
    return {"meta_graph": meta, "parts": parts, "facts": facts}


def _graph_of(value):
    tf = _tf()
    for item in tf.nest.flatten(value) if _is_nest(value) else [value]:
        graph = getattr(item, "graph", None)
        if isinstance(graph, tf.Graph):
            return graph
    return None


def _is_nest(value) -> bool:
    return isinstance(value, list | tuple) and not isinstance(value, str)


def _locate(value, graph) -> dict:
    """Where ``value`` (a part of the returned dict) is in ``graph``, as plain data."""
    tf = _tf()
    if _is_nest(value):
        return {"nest": [_locate(item, graph) for item in tf.nest.flatten(value)]}
    if graph is None or getattr(value, "graph", None) is not graph:
        return {"reported": type(value).__name__}
    if isinstance(value, tf.Variable):
        return {"variable": value.name}
    if isinstance(value, tf.Operation):
        return {"op": value.name}
    if isinstance(value, tf.Tensor):
        return {"tensor": value.name}
    return {"reported": type(value).__name__}


def _refused(graph_def) -> list[str]:
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        ops |= {node.op for node in function.node_def}
    return sorted(op for op in ops if op in REFUSED_OPS or "pyfunc" in op.lower())


def load(config: dict, seed: int, exported: dict) -> None:
    """Import what ``export`` sent, for the probes on ``config`` to use; refuses ops that
    call back into Python or touch files. Runs where no submission code has run."""
    tf = _tf()
    key = _key(None, config, seed)
    _facts[key] = {k: exported["facts"][k] for k in FACTS}
    graph = tf.Graph()
    if exported["meta_graph"] is not None:
        proto = tf.compat.v1.MetaGraphDef()
        proto.ParseFromString(np.asarray(exported["meta_graph"], dtype=np.uint8).tobytes())
        refused = _refused(proto.graph_def)
        if refused:
            error = ProbeError(
                f"the graph holds {', '.join(refused)} ops, which call back into Python or "
                "touch files: the grader does not run them"
            )
            _built[key] = error
            raise error
        with graph.as_default():
            tf.compat.v1.train.import_meta_graph(proto, clear_devices=True)
    model = {k: _find(graph, where) for k, where in exported["parts"].items()}
    _built[key] = model


def _find(graph, where: dict):
    tf = _tf()
    if "nest" in where:
        return [_find(graph, item) for item in where["nest"]]
    if "graph" in where:
        return graph
    if "variable" in where:
        with graph.as_default():
            found = [v for v in tf.compat.v1.global_variables() if v.name == where["variable"]]
        if found:
            return found[0]
        return graph.get_tensor_by_name(where["variable"])
    if "op" in where:
        return graph.get_operation_by_name(where["op"])
    if "tensor" in where:
        return graph.get_tensor_by_name(where["tensor"])
    return Reported(str(where.get("reported", "object")))


def _shape(tensor) -> list | None:
    shape = getattr(tensor, "shape", None)
    if shape is None or getattr(shape, "rank", None) is None:
        return None
    return list(shape.as_list())


def _dtype(tensor) -> str | None:
    dtype = getattr(tensor, "dtype", None)
    return getattr(dtype, "name", None)


def _variables(model: dict) -> list:
    tf = _tf()
    graph = model.get("graph")
    if not isinstance(graph, tf.Graph):
        raise ProbeError(f"model['graph'] is a {_kind(graph)}, not a tf.Graph")
    with graph.as_default():
        return list(tf.compat.v1.trainable_variables())


def _part(model: dict, key: str):
    if key not in model:
        raise ProbeError(f"the returned dict has no {key!r}")
    return model[key]


def _flat(model: dict, key: str) -> list:
    return list(_tf().nest.flatten(_part(model, key)))


_graphs_seen: list = []


def _graph_number(graph) -> int:
    """The order in which this worker first saw ``graph``: the same on every run (an
    ``id()`` would differ, and show up in feedback)."""
    for number, seen in enumerate(_graphs_seen):
        if seen is graph:
            return number
    _graphs_seen.append(graph)
    return len(_graphs_seen) - 1


def describe(lstm, config: dict) -> dict:
    """Keys, placeholder dtypes and shapes, variables, state structure of a fresh graph.

    Also where every part lives: ``in_graph`` says, per key, whether the part
    belongs to ``model["graph"]``; ``graph_id`` tells graphs apart across configs.
    """
    tf = _tf()
    model = build(lstm, config)
    graph = model.get("graph")
    report = {"keys": sorted(str(k) for k in model)}
    if lstm is None:  # the clean sandbox: what the building process saw
        report.update(_facts[_key(None, config, 0)])
    else:
        report["graph_is_tf_graph"] = isinstance(graph, tf.Graph)
        report["graph_is_default"] = graph is tf.compat.v1.get_default_graph()
        report["graph_id"] = _graph_number(graph)
        report["eager"] = tf.executing_eagerly()  # build_graph must not switch it off globally
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
                "variable": isinstance(model[key], tf.Variable),
            }
    if report["graph_is_tf_graph"] and isinstance(graph, tf.Graph):
        report["variables"] = [[v.name, _shape(v)] for v in _variables(model)]
    for key in STATES:
        if key in model:
            report[key] = [_shape(t) for t in tf.nest.flatten(model[key])]
    if "optimizer" in model:
        report["optimizer_type"] = _kind(model["optimizer"])
    report["in_graph"] = {
        str(key): all(getattr(t, "graph", None) is graph for t in tf.nest.flatten(value))
        for key, value in model.items()
        if key != "graph"
    }
    return report


def _assign(model: dict, sess, weights) -> list:
    """Load ``weights`` into the trainable variables; returns the variables in weight order.

    A dict is matched by shape and order; a list gives each variable its value in order.
    """
    variables = _variables(model)
    if isinstance(weights, dict):
        wanted = [weights["embedding"]]
        for kernel, bias in weights["layers"]:
            wanted += [kernel, bias]
        wanted += list(weights["dense"])
    else:
        wanted = list(weights)
    if len(variables) != len(wanted):
        raise ProbeError(
            f"the graph has {len(variables)} trainable variables; an embedding, a kernel and "
            f"a bias per LSTM layer and a dense kernel and bias make {len(wanted)}: "
            + ", ".join(f"{v.name} {_shape(v)}" for v in variables)
        )
    if isinstance(weights, dict):
        remaining, order = list(variables), []
        for value in wanted:  # in order: the first unused variable of the right shape
            match = next((v for v in remaining if _shape(v) == list(value.shape)), None)
            if match is None:
                raise ProbeError(
                    f"no trainable variable of shape {list(value.shape)} is left for the "
                    "reference's weights; the graph has "
                    + ", ".join(f"{v.name} {_shape(v)}" for v in variables)
                )
            remaining.remove(match)
            order.append(match)
    else:
        order = variables
    for variable, value in zip(order, wanted, strict=True):
        _load(model, sess, variable, value)
    return order


def _load(model: dict, sess, variable, value) -> None:
    with model["graph"].as_default():  # initial_value is only reachable inside the graph
        sess.run(variable.initializer, {variable.initial_value: np.asarray(value)})


def _short(message: str) -> str:
    """A TensorFlow run error's own words, without the stack traces it quotes."""
    lines, skipping = [], False
    for line in message.splitlines():
        if line.startswith(("Detected at node", "Original stack trace")):
            skipping = True
        elif line.startswith("Node:"):
            skipping = False
        elif not skipping and line.strip() and line.strip() != "Graph execution error:":
            lines.append(line.strip())
    return " ".join(lines) or message


@contextlib.contextmanager
def _running():
    """Session runs raise their own error type, with a message short enough for feedback."""
    tf = _tf()
    try:
        yield
    except tf.errors.OpError as error:
        try:
            short = type(error)(None, None, _short(error.message))  # op=None: no traceback
        except Exception:  # noqa: BLE001 - an error type with another signature
            raise error from None
        raise short from None


def _session_config():
    """Graph rewriting off, one thread: the probes' graphs are tiny, and TensorFlow's
    optimizing passes cost more than each run saves (a probe took twice as long)."""
    tf = _tf()
    config = tf.compat.v1.ConfigProto(
        inter_op_parallelism_threads=1, intra_op_parallelism_threads=1
    )
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    config.graph_options.optimizer_options.opt_level = tf.compat.v1.OptimizerOptions.L0
    return config


def _session(model: dict, weights):
    tf = _tf()
    sess = tf.compat.v1.Session(graph=_part(model, "graph"), config=_session_config())
    with model["graph"].as_default():
        sess.run(tf.compat.v1.global_variables_initializer())
    if weights is not None:
        _assign(model, sess, weights)
    return sess


def _fit(tensor, value) -> np.ndarray:
    """``value`` reshaped to ``tensor``'s rank (a column for [None, 1], a row for [None])."""
    value = np.asarray(value)
    shape = _shape(tensor)
    if shape is not None and len(shape) != value.ndim and value.size:
        if len(shape) == 1:
            value = value.reshape(-1)
        elif len(shape) == 2 and shape[-1] in (1, None):
            value = value.reshape(-1, 1)
    return value


def _feed(model: dict, x=None, y=None, keep_prob=1.0, state=None, extra=None) -> dict:
    """The feed dict: only what is given is fed (labels fitted to labels_'s rank)."""
    feed = {}
    if x is not None:
        feed[_part(model, "inputs_")] = x
    if keep_prob is not None:
        feed[_part(model, "keep_prob")] = keep_prob
    if y is not None:
        labels = _part(model, "labels_")
        feed[labels] = _fit(labels, np.asarray(y).reshape(-1, 1))
    if state is not None:
        tensors = _flat(model, "initial_state")
        if len(tensors) != len(state):
            raise ProbeError(f"initial_state has {len(tensors)} tensors, expected {len(state)}")
        feed.update(zip(tensors, state, strict=True))
    for key, value in (extra or {}).items():
        if key in STATES or key == "graph" or key not in model:
            raise ProbeError(f"cannot feed {key!r}")
        feed[model[key]] = _fit(model[key], value)
    return feed


def _fetches(model: dict, keys) -> dict:
    fetches = {}
    for key in keys:
        if key == "variables":
            fetches[key] = _variables(model)
        elif key in STATES:
            fetches[key] = _flat(model, key)
        else:
            fetches[key] = _part(model, key)
    return fetches


def _plain(value):
    if isinstance(value, list | tuple):
        return [np.asarray(v) for v in value]
    return np.asarray(value)


def run(lstm, config: dict, cases: list, weights=None, seed: int = 0) -> list:
    """Run ``cases`` in order in ONE session on ``config``'s graph; one dict of results each.

    A case is a dict: ``fetch`` (keys of the returned dict; ``initial_state`` and
    ``final_state`` come flat, ``variables`` gives the trainable variables'
    values in the graph's order), and what to feed: ``x`` (``inputs_``), ``y``
    (``labels_``, as a column), ``keep_prob`` (1 unless given; None feeds
    nothing), ``state`` (the flat ``initial_state``) and ``feed`` (more keys,
    e.g. ``outputs`` or ``predictions``, by value). ``carry`` feeds the
    previous case's ``final_state`` to ``initial_state`` as the lab's loop does,
    nested as fetched. ``embedding`` first loads that value into the embedding
    variable, for this case and the next ones. Random ops (dropout) draw anew
    in every case.
    """
    tf = _tf()
    model = build(lstm, config, seed)
    results, carried = [], None
    with _running(), _session(model, weights) as sess:
        for case in cases:
            if case.get("embedding") is not None:
                table = model.get("embedding")
                if not hasattr(table, "initializer"):
                    raise ProbeError("model['embedding'] is not a variable: it cannot be loaded")
                _load(model, sess, table, case["embedding"])
            feed = _feed(
                model,
                case.get("x"),
                case.get("y"),
                case.get("keep_prob", 1.0),
                case.get("state"),
                case.get("feed"),
            )
            if case.get("carry"):
                if carried is None:
                    raise ProbeError("no final_state to carry: fetch it in the case before")
                state = tf.nest.flatten(carried)
                feed.update(zip(_flat(model, "initial_state"), state, strict=True))
            fetches = _fetches(model, case["fetch"])
            if "final_state" in fetches:
                fetches["final_state"] = model["final_state"]  # nested, to carry
            fetched = sess.run(fetches, feed)
            if "final_state" in fetched:
                carried = fetched["final_state"]
                fetched["final_state"] = tf.nest.flatten(carried)
            results.append({k: _plain(v) for k, v in fetched.items()})
    return results


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
    """One forward pass: predictions, cost, accuracy, outputs and the flat final state."""
    case = {
        "x": x,
        "y": y,
        "keep_prob": keep_prob,
        "state": state,
        "fetch": ["predictions", "cost", "accuracy", "final_state", "outputs"],
    }
    return run(lstm, config, [case], weights, seed)[0]


def _gradient_tensors(model: dict) -> list:
    """d cost / d each trainable variable (dense; zeros where cost does not depend on it)."""
    tf = _tf()
    key = id(model)
    if key not in _gradients:
        variables = _variables(model)
        with model["graph"].as_default():
            grads = tf.compat.v1.gradients(_part(model, "cost"), variables)
            _gradients[key] = [
                tf.zeros_like(v) if g is None else tf.convert_to_tensor(g)
                for v, g in zip(variables, grads, strict=True)
            ]
    return _gradients[key]


def train_step(
    lstm, config: dict, x, y, weights=None, gradients: bool = False, seed: int = 0
) -> dict:
    """The lab's training step once, keep_prob 1: the trainable variables around it.

    Returns ``before`` and ``after`` (the variables' values, in the graph's
    order) and the ``cost`` before; with ``gradients``, also the gradients of
    ``cost`` with respect to each variable, before the step (adding them to a
    graph takes a while). From the graph's own initial weights (``weights`` None)
    the result is kept: the step is deterministic, and a session that runs an
    optimizer for the first time costs far more than one that does not.
    """
    key = (_key(lstm, config, seed), _digest(x), _digest(y))
    if weights is None and key in _steps and (not gradients or "gradients" in _steps[key]):
        return _steps[key]
    model = build(lstm, config, seed)
    wanted = {"cost": _part(model, "cost")}
    if gradients:
        wanted["gradients"] = _gradient_tensors(model)
    variables = _variables(model)
    with _running(), _session(model, weights) as sess:
        feed = _feed(model, x, y, 1.0)
        before = sess.run(variables)
        fetched = sess.run(wanted, feed)
        sess.run(_part(model, "optimizer"), feed)
        after = sess.run(variables)
    result = {
        "before": _plain(before),
        "after": _plain(after),
        "cost": float(fetched["cost"]),
        **({"gradients": _plain(fetched["gradients"])} if gradients else {}),
    }
    if weights is None:
        _steps[key] = result
    return result


def _digest(value) -> tuple:
    value = np.asarray(value)
    return value.shape, value.dtype.str, value.tobytes()
