"""Look inside a submission's LSTM graph and report what is there as plain data.

They return only lists, dicts, strings and numpy arrays, which the grader
compares with its own numpy recomputation. They are not secret; they are also
what the public LSTM tests call (on your machine, next to your ``lstm`` module).

When grading, nothing is measured where the submission's code runs. Its
sandbox only builds each graph and hands it over as data (``export``: the
``MetaGraphDef``, where each returned part is in it, and the few facts only the
building process can see). A second sandbox, where no submission code ever
runs, imports it (``load``) and performs every probe with the grader's weights and
inputs. A submission that replaces these functions changes only what it exports, and
an exported graph is judged by what it computes.

The graph is data, and ``load`` denies by default: it imports a graph only if every op
in it, those of its function library included (TF 2 puts ``dynamic_rnn``'s loop there),
is on ``ALLOWED_OPS``, the ops honest graphs use. Anything else (a dataset or a file
op, Python, a bare op called as a function) is named in a one-line ``ProbeError`` and
nothing of the graph runs: no probe's message can carry what such an op would read.
A ``tf1.train.Saver``, which the contract allows, is the one exception: its
checkpoint ops (``CHECKPOINT_OPS``) are left out before the check, with every node
that reads from them, so they never run either.

Only the contract's keys (``KEYS``) are ever looked at: any other entry of the
returned dict, of any kind, is reported by its type name and never touched.
Nothing here calls a property or an operator of a returned value beyond type
checks: TensorFlow objects are told apart by identity (``is``), never by ``==``
or ``in``, which build ops.

Trainable variables are always listed in ROLE order, found from the graph's
structure, never from creation order or names: the embedding (the variable
``outputs`` reads with no other variable before it), then each LSTM layer's
kernel and bias, bottom layer first (a layer's variables have the layers below
it upstream), then the dense layer's kernel and bias (upstream of
``predictions`` but not of ``outputs``), then any other, in the graph's order.
Weights are passed in as ``{"embedding": E, "layers": [[kernel, bias], ...],
"dense": [kernel, bias]}`` and loaded in that order, so any variable names
(``BasicLSTMCell`` or ``LSTMCell``, ``tf1.Variable`` or ``get_variable``) and any
order of creation work. A plain list of arrays gives the variables their
values in role order.

A value fed in place of a returned tensor (``outputs``, ``predictions``) is fed
to the tensor it is a copy of (through ``tf.identity``), so parts computed from
the original follow it too.

Why one file of over 500 lines: a profile's helper is one file, copied into the sandbox
beside the worker; the public tests import it too, on the student's machine.
"""

import contextlib
import random
import re

import numpy as np

KEYS = (
    "graph",
    "inputs_",
    "labels_",
    "keep_prob",
    "embedding",
    "initial_state",
    "outputs",
    "final_state",
    "predictions",
    "cost",
    "optimizer",
    "accuracy",
)
"""The keys of the contract's dict: the only ones the probes look at."""
CONFIG_KEYS = ("n_words", "lstm_size", "lstm_layers", "batch_size", "learning_rate", "embed_size")
STATES = ("initial_state", "final_state")
"""Keys whose value is a nested structure of tensors: fed and fetched flat."""


ALLOWED_OPS = frozenset(
    """
    AddN AddV2 ApplyAdam ApplyGradientDescent Assign AssignAddVariableOp AssignSub
    AssignSubVariableOp AssignVariableOp BiasAdd BiasAddGrad BroadcastGradientArgs Cast
    ConcatOffset ConcatV2 Const DivNoNan EmptyTensorList Equal ExpandDims Fill FloorMod
    GatherV2 Greater GreaterEqual Identity InvertPermutation Less Log LogicalAnd MatMul
    Maximum Mean Minimum Mul Neg NoOp Pack Placeholder PlaceholderWithDefault Prod
    RandomUniform Range ReadVariableOp RealDiv Reciprocal Reshape ResourceApplyAdam
    ResourceApplyGradientDescent ResourceGather ResourceScatterAdd Round ScatterAdd
    ScatterSub Select SelectV2 Shape ShapeN Sigmoid SigmoidGrad Size Slice Split Sqrt
    SqrtGrad Square SquaredDifference StatelessRandomGetKeyCounter StatelessRandomUniformV2
    StatelessWhile StridedSlice StridedSliceGrad Sub Sum Tanh TanhGrad
    TensorListElementShape TensorListFromTensor TensorListGetItem TensorListLength
    TensorListPopBack TensorListPushBack TensorListReserve TensorListSetItem TensorListStack
    Tile Transpose TruncatedNormal Unique UnsortedSegmentSum VarHandleOp VarIsInitializedOp
    VariableV2 While ZerosLike
    """.split()
)
"""The only ops the clean sandbox imports: those of the known honest graphs (the reference's,
correct ones in other styles, and ones with a mistake that costs a clause) at every size the
tests build, and no other (the module's docstring). Derived, not chosen: the grader's
``tests/lab/test_graph_ops.py`` checks it and rewrites it from those graphs."""
CHECKPOINT_OPS = frozenset({"SaveV2", "RestoreV2"})
"""A ``tf1.train.Saver``'s file ops: left out of the graph before ``load`` checks it, with
every node that reads from them; a part of the contract among those is refused."""

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
            _built[key] = _build(lstm, config, seed, key)
        except Exception as error:
            _built[key] = error
            raise
    model = _built[key]
    if isinstance(model, Exception):
        raise model
    return model


_defaults: dict[tuple, object] = {}
"""The default graph each build ran under, by ``build``'s key: a new one per build."""


def _build(lstm, config: dict, seed: int, key: tuple) -> dict:
    tf = _tf()
    random.seed(seed)
    np.random.seed(seed)
    original = tf.Graph.__init__

    def seeded_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.seed = seed

    tf.Graph.__init__ = seeded_init
    try:
        # Each build under a default graph of its own: a graph built in the default graph
        # fails the one test of that clause, not every later build ("Variable ... already
        # exists" where an earlier build left its variables).
        with tf.Graph().as_default() as default:
            _defaults[key] = default
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
    facts = _facts_of(lstm, config, seed)
    if not facts["graph_is_tf_graph"]:  # described from the graph its parts are in, if any
        found = (_graph_of(model[k]) for k in KEYS if k in model)
        graph = next((g for g in found if g is not None), None)
    parts = {
        str(k): _locate(v, graph) if _contract_key(k) else {"reported": type(v).__name__}
        for k, v in model.items()
        if k != "graph"
    }
    parts["graph"] = (
        {"graph": True} if facts["graph_is_tf_graph"] else {"reported": _kind(model.get("graph"))}
    )
    meta = None
    if graph is not None:
        with graph.as_default():  # exporting needs graph mode
            proto = tf.compat.v1.train.export_meta_graph(graph=graph, clear_devices=True)
        meta = np.frombuffer(proto.SerializeToString(), dtype=np.uint8)
    return {"meta_graph": meta, "parts": parts, "facts": facts}


def _facts_of(lstm, config: dict, seed: int) -> dict:
    """``FACTS`` of the graph ``build`` made (and kept) for these arguments."""
    tf = _tf()
    key = _key(lstm, config, seed)
    graph = build(lstm, config, seed).get("graph")
    default = (_defaults.get(key), tf.compat.v1.get_default_graph())
    return {
        "graph_is_tf_graph": isinstance(graph, tf.Graph),
        "graph_is_default": any(graph is g for g in default),
        "graph_id": _graph_number(graph),
        "eager": tf.executing_eagerly(),  # build_graph must not switch it off globally
    }


def _contract_key(key) -> bool:
    return isinstance(key, str) and key in KEYS


def _is_tf(value) -> bool:
    """A tensor, variable or op: the only values whose ``graph`` is read (a Keras layer's or
    a legacy RNN cell's ``graph`` property raises)."""
    tf = _tf()
    return isinstance(value, tf.Tensor | tf.Variable | tf.Operation)


def _leaves(value) -> list:
    return list(_tf().nest.flatten(value)) if _is_nest(value) else [value]


def _graph_of(value):
    tf = _tf()
    for item in _leaves(value):
        if _is_tf(item) and isinstance(item.graph, tf.Graph):
            return item.graph
    return None


def _is_nest(value) -> bool:
    return isinstance(value, list | tuple) and not isinstance(value, str)


def _locate(value, graph) -> dict:
    """Where ``value`` (a part of the returned dict) is in ``graph``, as plain data."""
    tf = _tf()
    if _is_nest(value):
        return {"nest": [_locate(item, graph) for item in tf.nest.flatten(value)]}
    if graph is None or not _is_tf(value) or value.graph is not graph:
        return {"reported": type(value).__name__}
    if isinstance(value, tf.Variable):
        return {"variable": value.name}
    if isinstance(value, tf.Operation):
        return {"op": value.name}
    if isinstance(value, tf.Tensor):
        return {"tensor": value.name}
    return {"reported": type(value).__name__}


def _meta_graph(data):
    proto = _tf().compat.v1.MetaGraphDef()
    proto.ParseFromString(np.asarray(data, dtype=np.uint8).tobytes())
    return proto


def _called(value) -> list[str]:
    """The functions an attribute calls (``While``'s ``body``, ...), with those of its own."""
    functions = [value.func] if value.HasField("func") else []
    if value.HasField("list"):
        functions += list(value.list.func)
    names = []
    for function in functions:
        names.append(function.name)
        for inner in function.attr.values():
            names += _called(inner)
    return names


def _ops(graph_def) -> set[str]:
    """Every op that could run: the nodes' of the graph and of its function library, and any
    name an attribute calls that is not in the library (TensorFlow runs a bare op as one)."""
    library = graph_def.library.function
    nodes = [*graph_def.node, *(node for f in library for node in f.node_def)]
    values = [v for node in nodes for v in node.attr.values()]
    values += [v for f in library for v in f.attr.values()]
    defined = {f.signature.name for f in library}
    called = {name for value in values for name in _called(value)}
    return {node.op for node in nodes} | (called - defined)


def _without_checkpoints(graph_def) -> dict[str, str]:
    """Take out of ``graph_def`` the nodes of ``CHECKPOINT_OPS`` and every node that reads
    from one, through data or control; returns each one's name with its checkpoint op."""
    readers: dict[str, list[str]] = {}
    for node in graph_def.node:
        for source in node.input:
            readers.setdefault(source.lstrip("^").split(":")[0], []).append(node.name)
    removed: dict[str, str] = {}
    stack = [(node.name, node.op) for node in graph_def.node if node.op in CHECKPOINT_OPS]
    while stack:
        name, op = stack.pop()
        if name not in removed:
            removed[name] = op
            stack.extend((reader, op) for reader in readers.get(name, []))
    if removed:
        kept = [node for node in graph_def.node if node.name not in removed]
        del graph_def.node[:]
        graph_def.node.extend(kept)
    return removed


def graph_ops(meta_graph) -> set[str]:
    """The ops ``load`` checks against ``ALLOWED_OPS`` in ``meta_graph`` (the serialized
    ``MetaGraphDef`` that ``export`` gives): all that could run, a Saver's left out."""
    proto = _meta_graph(meta_graph)
    _without_checkpoints(proto.graph_def)
    return _ops(proto.graph_def)


OP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.>-]{0,79}")
"""What an op's name looks like; any other name (the graph's own text) is not quoted."""


def refusal(ops) -> str:
    """The verdict on a graph that uses ``ops``: one line that names them (at most 8)."""
    ops = sorted(set(ops))
    named = [op for op in ops if OP_NAME.fullmatch(op)][:8]
    others = len(ops) - len(named)
    names = named + [f"{others} other{'s' * (others > 1)}"] * bool(others)
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"the graph uses the op{'s' * (len(ops) > 1)} {listed}, which the grader does not run"


def _node_names(where: dict) -> list[str]:
    if "nest" in where:
        return [name for item in where["nest"] for name in _node_names(item)]
    found = [where.get(kind) for kind in ("tensor", "variable", "op")]
    return [str(name).split(":")[0] for name in found if name is not None]


def load(config: dict, seed: int, exported: dict) -> None:
    """Import what ``export`` sent, for the probes on ``config`` to use, if every op in it
    is on ``ALLOWED_OPS`` (the module's docstring). Runs where no submission code has run."""
    tf = _tf()
    key = _key(None, config, seed)
    _facts[key] = {k: exported["facts"][k] for k in FACTS}
    graph = tf.Graph()
    if exported["meta_graph"] is not None:
        try:
            _import(graph, exported)
        except ProbeError as error:  # every probe on this graph says the same
            _built[key] = error
            raise
    model = {k: _find(graph, where) for k, where in exported["parts"].items()}
    _built[key] = model


def _import(graph, exported: dict) -> None:
    """Import the exported graph into ``graph``; a ``ProbeError`` naming the ops not allowed,
    before anything of it is imported, if it has any."""
    tf = _tf()
    proto = _meta_graph(exported["meta_graph"])
    removed = _without_checkpoints(proto.graph_def)
    refused = _ops(proto.graph_def) - ALLOWED_OPS
    wanted = {name for where in exported["parts"].values() for name in _node_names(where)}
    refused |= {removed[name] for name in wanted & set(removed)}  # a part computed by a Saver
    if refused:
        raise ProbeError(refusal(refused))
    with graph.as_default():
        try:
            tf.compat.v1.train.import_meta_graph(proto, clear_devices=True)
        except (KeyError, ValueError):
            if not removed:
                raise
            # A variable or a collection of the graph's own reads a node left out.
            raise ProbeError(refusal(removed.values())) from None


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
    if not isinstance(tensor, _tf().Tensor | _tf().Variable) or tensor.shape.rank is None:
        return None
    return list(tensor.shape.as_list())


def _dtype(tensor) -> str | None:
    if not isinstance(tensor, _tf().Tensor | _tf().Variable):
        return None
    return tensor.dtype.name


def _variables(model: dict) -> list:
    """The graph's trainable variables in role order (the module's docstring)."""
    return [variable for variable, _ in _roles(model)]


_role_cache: dict[int, list] = {}
"""Roles per model, by ``id``: every model stays alive in ``_built``, so no id is reused."""

PASS_THROUGH = frozenset({"Identity", "ReadVariableOp", "Enter", "RefEnter", "RefIdentity", "Arg"})
"""Ops that only hand a variable's value on: where it is USED lies past them (``Arg``: a
loop body's argument)."""
LOOPS = frozenset({"While", "StatelessWhile"})


def _roles(model: dict) -> list[tuple]:
    """``[(variable, role), ...]``: the trainable variables in role order, each with its role
    (``embedding``, ``kernel N``, ``bias N`` for LSTM layer N, ``dense kernel``, ``dense
    bias``, or ``other``), found from which variables lie upstream of where each is used."""
    tf = _tf()
    graph = model.get("graph")
    if not isinstance(graph, tf.Graph):
        raise ProbeError(f"model['graph'] is a {_kind(graph)}, not a tf.Graph")
    if id(model) in _role_cache:
        return _role_cache[id(model)]
    with graph.as_default():
        variables = list(tf.compat.v1.trainable_variables())
    roles = ["other"] * len(variables)

    def ops(key):
        found = _leaves(model[key]) if key in model else []
        return [t.op.name for t in found if isinstance(t, tf.Tensor) and t.graph is graph]

    outputs, predictions = ops("outputs"), ops("predictions")
    if outputs:
        nodes = _dataflow(graph)
        consumers: dict[str, list[str]] = {}
        for name, (_, inputs) in nodes.items():
            for source in inputs:
                consumers.setdefault(source, []).append(name)
        before_outputs = _upstream(outputs, nodes)
        before_predictions = _upstream(predictions, nodes)
        forward = before_outputs | before_predictions
        lstm = [i for i, v in enumerate(variables) if v.op.name in before_outputs]
        above = {}  # the other LSTM-side variables upstream of where each one is used
        for i in lstm:
            used = _uses(variables[i].op.name, forward, nodes, consumers)
            names = _upstream(used, nodes)
            above[i] = [j for j in lstm if j != i and variables[j].op.name in names]
        first = [i for i in lstm if not above[i]]  # read with no other variable before it
        named = model.get("embedding")
        chosen = [i for i in first if _is_tf(named) and variables[i].name == named.name]
        embedding = (chosen or first or [None])[0]
        for i in lstm:
            rank = variables[i].shape.rank
            if i == embedding or rank not in (1, 2):
                roles[i] = "embedding" if i == embedding else "other"
                continue
            # this layer's kernel and those below it: each reaches where this one is used
            kernels = {j for j in [*above[i], i] if variables[j].shape.rank == 2} - {embedding}
            roles[i] = f"{'kernel' if rank == 2 else 'bias'} {max(len(kernels) - 1, 0)}"
        for i, variable in enumerate(variables):
            name, rank = variable.op.name, variable.shape.rank
            if name in before_predictions and name not in before_outputs and rank in (1, 2):
                roles[i] = "dense kernel" if rank == 2 else "dense bias"
    order = sorted(range(len(variables)), key=lambda i: _role_rank(roles[i]))
    _role_cache[id(model)] = [(variables[i], roles[i]) for i in order]
    return _role_cache[id(model)]


def _role_rank(role: str) -> tuple:
    if role == "embedding":
        return (0, 0, 0)
    if role.startswith(("kernel", "bias")):
        kind, layer = role.split()
        return (1, int(layer), kind == "bias")
    return {"dense kernel": (2, 0, 0), "dense bias": (2, 0, 1)}.get(role, (3, 0, 0))


def _dataflow(graph) -> dict[str, tuple[str, list[str]]]:
    """``{node: (op type, [the nodes it reads])}`` for every op of ``graph``, and for every
    node of its loops' bodies (a functional ``While`` keeps its body in the graph's
    library): a body's argument reads what the loop is given and what the body returned
    for it the step before; the loop reads what its body returns."""
    graph_def = graph.as_graph_def()
    functions = {f.signature.name: f for f in graph_def.library.function}

    def data(inputs, prefix=""):
        return [prefix + i.split(":")[0] for i in inputs if not i.startswith("^")]

    nodes = {}
    for node in graph_def.node:
        nodes[node.name] = (node.op, data(node.input))
        body = functions.get(node.attr["body"].func.name) if node.op in LOOPS else None
        if body is None:
            continue
        prefix = f"{node.name}/body/"
        given = data(node.input)
        returned = [prefix + body.ret[o.name].split(":")[0] for o in body.signature.output_arg]
        for j, arg in enumerate(body.signature.input_arg):
            reads = given[j : j + 1] + returned[j : j + 1]
            nodes[prefix + arg.name] = ("Arg", reads)
        for inner in body.node_def:
            nodes[prefix + inner.name] = (inner.op, data(inner.input, prefix))
        nodes[node.name][1].extend(returned)
    return nodes


def _upstream(names, nodes: dict) -> set[str]:
    """``names`` and every node they read from, through data inputs."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in seen and name in nodes:
            seen.add(name)
            stack.extend(nodes[name][1])
    return seen


def _uses(name: str, forward: set[str], nodes: dict, consumers: dict) -> list[str]:
    """The nodes of the forward pass that compute with ``name``'s value, past those that only
    pass it on (into a loop: to the body's argument, not to the loop's results)."""
    found, stack, seen = [], [name], set()
    while stack:
        for consumer in consumers.get(stack.pop(), []):
            kind = nodes[consumer][0]
            if consumer in seen or consumer not in forward or kind in LOOPS:
                continue
            seen.add(consumer)
            (stack if kind in PASS_THROUGH else found).append(consumer)
    return found


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
        report.update(_facts_of(lstm, config, 0))
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
            value = model[key]
            report[key] = {
                "dtype": _dtype(value),
                "shape": _shape(value),
                "op": value.op.type if isinstance(value, tf.Tensor) else None,
                "variable": isinstance(value, tf.Variable),
            }
    if report["graph_is_tf_graph"] and isinstance(graph, tf.Graph):
        roles = _roles(model)
        report["variables"] = [[v.name, _shape(v)] for v, _ in roles]
        report["roles"] = [role for _, role in roles]
    for key in STATES:
        if key in model:
            report[key] = [_shape(t) for t in _leaves(model[key])]
    if "optimizer" in model:
        report["optimizer_type"] = _kind(model["optimizer"])
    report["in_graph"] = {  # the contract's parts only: any other entry is not looked at
        key: all(_is_tf(t) and t.graph is graph for t in _leaves(model[key]))
        for key in KEYS
        if key in model and key != "graph"
    }
    return report


def _assign(model: dict, sess, weights) -> list:
    """Load ``weights`` into the trainable variables; returns the variables in weight order.

    A dict is matched by shape in role order; a list gives each variable its value in
    role order. Variables are told apart by identity (``==`` on a variable builds an op).
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
            remaining = [v for v in remaining if v is not match]
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
        if not isinstance(model[key], _tf().Tensor):
            raise ProbeError(f"cannot feed {key!r}: it is a {_kind(model[key])}, not a tensor")
        feed[_original(model[key])] = _fit(model[key], value)
    return feed


def _original(tensor):
    """The tensor that ``tensor`` is a copy of through ``tf.identity`` (itself if none):
    fed there, the value reaches whatever was computed from either."""
    while (
        tensor.op.type in ("Identity", "Snapshot")
        and len(tensor.op.inputs) == 1
        and tensor.op.inputs[0].dtype == tensor.dtype
    ):
        tensor = tensor.op.inputs[0]
    return tensor


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
                if not isinstance(table, tf.Variable):
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
