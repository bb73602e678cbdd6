"""The clean sandbox's allow-list (``ALLOWED_OPS`` in ``assignment/tests/probes.py``) and how
``load`` refuses a graph with any other op.

The list is derived, never chosen: it is every op of the known honest graphs, at each
configuration the hidden tests build (the public tests' are among them), and nothing else.
The honest graphs are the reference's, the correct alternatives'
(``tests/submissions/alternative/lstm_*.py``) and the buggy submissions'
(``tests/submissions/buggy/lstm_*.py``: a cross-entropy cost or plain gradient descent is a
mistake that costs its own clause, not a graph the grader refuses). A new one that uses
another op fails ``test_every_op_of_an_honest_graph_is_allowed``, naming the op and the
graphs that use it; an op no honest graph uses any more fails the test after it. Then (or
after a TensorFlow upgrade) regenerate the list from the repository's root::

    python tests/lab/test_graph_ops.py

which rewrites ``ALLOWED_OPS`` in probes.py from the graphs and prints what changed; review
the diff (``git diff assignment/tests/probes.py``): the deny check below must still pass.
"""

import importlib.util
import re
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
PROBES = ROOT / "assignment" / "tests" / "probes.py"
LISTED = re.compile(r'(ALLOWED_OPS = frozenset\(\n    """\n)(.*?)(\n    """\.split\(\)\n\))', re.S)
"""Where probes.py writes the list: the names, wrapped, inside a string that is split."""
DENIED_WORDS = (
    "PyFunc File Dataset Reader Iterator Save Restore Checkpoint Print Summary Queue Debug "
    "Immutable Record Call Assert Audio Image"
).split()
"""Parts of the names of ops that call into Python or functions, read or write files (a
dataset, a reader, a checkpoint, a summary, ``ImmutableConst``'s memory-mapped file,
``PrintV2``'s ``output_stream``), or quote tensors in their errors: none is allowed."""


def configs() -> list[dict]:
    """Every configuration the hidden tests build (the public tests' ``SMALL`` is ``CONFIG``;
    their two-layer graph is ``TWO_LAYERS``; their Adam step only changes the learning rate)."""
    from reference.hidden_tests.lstm_graph import CONFIG, EMBEDDING, TWO_LAYERS, VARIED

    embedding = {**CONFIG, **{name: VARIED[name] for name in EMBEDDING}}
    others = [{**CONFIG, name: value} for name, value in VARIED.items() if name not in EMBEDDING]
    return [CONFIG, TWO_LAYERS, embedding, *others]


def declared_variants() -> dict[str, str]:
    """``variant/NAME``: the reference's ``lstm.py`` with each rewrite of ``build_graph`` the
    assignment declares equivalent (``equivalent_variants.toml``) applied alone."""
    import tomllib

    declared = ROOT / "reference" / "hidden_tests" / "equivalent_variants.toml"
    source = (ROOT / "reference" / "lstm.py").read_text()
    found = {}
    for rewrite in tomllib.loads(declared.read_text())["rewrite"]:
        if rewrite["function"] != "build_graph":
            continue
        finds, replaces = rewrite["find"], rewrite["replace"]
        finds, replaces = ([finds], [replaces]) if isinstance(finds, str) else (finds, replaces)
        text = source
        for find, replace in zip(finds, replaces, strict=True):
            text = text.replace(find, replace)
        found[f"variant/{rewrite['name']}"] = text
    return found


def used_ops() -> dict[str, list[str]]:
    """Each op that ``load`` would check in an honest graph: the graphs that use it
    (``reference``, ``alternative/NAME`` or ``buggy/NAME``)."""
    import submissions
    import tensorflow.compat.v1 as tf1
    from test_lstm_reference import load_probes, spliced_lstm

    from reference import lstm

    probes = load_probes()
    used: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        modules = {"reference": lstm}
        for fragment in submissions.ALTERNATIVE + submissions.BUGGY:
            if fragment.stem.startswith("lstm"):
                name = f"{fragment.parent.name}/{fragment.stem}"
                modules[name] = spliced_lstm(fragment, Path(scratch) / name)
        for name, source in declared_variants().items():  # the assignment's own rewrites
            path = Path(scratch) / f"{name.replace('/', '_').replace(' ', '_')}.py"
            path.write_text(source)
            spec = importlib.util.spec_from_file_location(path.stem, path)
            modules[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(modules[name])
        for name, module in modules.items():
            ops = set()
            tf1.enable_resource_variables()  # as a sandbox starts: one graph's switch is its own
            for config in configs():
                try:
                    ops |= probes.graph_ops(probes.export(module, config)["meta_graph"])
                except ValueError:  # a bug's graph that does not build (shared cells)
                    if not name.startswith("buggy/"):
                        raise
            for op in ops:
                used.setdefault(op, []).append(name)
    return used


def written(ops) -> str:
    """The names as probes.py writes them inside ``ALLOWED_OPS``'s string."""
    indent = " " * 4
    return textwrap.fill(
        " ".join(sorted(ops)), width=92, initial_indent=indent, subsequent_indent=indent
    )


def denied(op: str) -> list[str]:
    return [word for word in DENIED_WORDS if word.lower() in op.lower()]


@pytest.fixture(scope="module")
def probes():
    from test_lstm_reference import load_probes

    return load_probes()


@pytest.fixture(scope="module")
def used() -> dict[str, list[str]]:
    return used_ops()


def test_every_op_of_an_honest_graph_is_allowed(used, probes):
    missing = {op: graphs for op, graphs in sorted(used.items()) if op not in probes.ALLOWED_OPS}
    assert missing == {}, (
        "honest graphs use ops the clean sandbox refuses (op: graphs); if they read, write "
        "or call nothing, regenerate the list: python tests/lab/test_graph_ops.py"
    )


def test_every_allowed_op_is_used_by_an_honest_graph(used, probes):
    """Deny by default: an op stays on the list only while an honest graph needs it."""
    assert sorted(probes.ALLOWED_OPS - set(used)) == []


def test_the_list_reads_writes_and_calls_out_nothing(probes):
    assert {op: denied(op) for op in probes.ALLOWED_OPS if denied(op)} == {}
    assert probes.CHECKPOINT_OPS.isdisjoint(probes.ALLOWED_OPS)
    # The check itself sees the ops of the attacks it is for.
    attacks = ["FixedLengthRecordDatasetV2", "ReadFile", "EagerPyFunc", "RestoreV2", "PrintV2"]
    assert all(denied(op) for op in attacks)


def test_the_list_is_written_as_the_generator_writes_it(probes):
    [names] = [m.group(2) for m in LISTED.finditer(PROBES.read_text())]
    assert names == written(probes.ALLOWED_OPS)


# -- what load refuses, and what its verdict says ------------------------------------------


SMALL = {
    "n_words": 12,
    "lstm_size": 5,
    "lstm_layers": 1,
    "batch_size": 3,
    "learning_rate": 0.01,
    "embed_size": 4,
}


def exported(graph, parts: dict) -> dict:
    """What ``export`` would send for ``graph``, with ``parts`` (key -> tensor or op)."""
    import tensorflow as tf

    with graph.as_default():
        proto = tf.compat.v1.train.export_meta_graph(graph=graph, clear_devices=True)
    kind = {True: "op", False: "tensor"}
    where = {k: {kind[isinstance(v, tf.Operation)]: v.name} for k, v in parts.items()}
    return {
        "meta_graph": np.frombuffer(proto.SerializeToString(), dtype=np.uint8),
        "parts": {"graph": {"graph": True}, **where},
        "facts": {
            "graph_is_tf_graph": True,
            "graph_is_default": False,
            "graph_id": 0,
            "eager": True,
        },
    }


def refused_by_load(probes, monkeypatch, sent: dict) -> str:
    """``load``'s ProbeError message for ``sent``; the probes then raise the same."""
    monkeypatch.setattr(probes, "_built", {})
    with pytest.raises(probes.ProbeError) as refused:
        probes.load(SMALL, 0, sent)
    with pytest.raises(probes.ProbeError) as again:
        probes.describe(None, SMALL)
    assert str(again.value) == str(refused.value)
    return str(refused.value)


def test_a_dataset_over_a_file_is_refused_quoting_nothing_of_it(probes, monkeypatch, tmp_path):
    import tensorflow as tf

    secret = tmp_path / "secret"
    secret.write_bytes(b"roo" * 31 + b"t")  # a record longer than the file: TF's error
    graph = tf.Graph()  # would say the file's length (94 bytes)
    with graph.as_default():
        records = tf.data.FixedLengthRecordDataset(str(secret), record_bytes=3).batch(1)
        record = tf.compat.v1.data.make_one_shot_iterator(records).get_next()
        accuracy = tf.reduce_sum(tf.cast(tf.io.decode_raw(record, tf.uint8), tf.float32))
    said = refused_by_load(probes, monkeypatch, exported(graph, {"accuracy": accuracy}))
    assert re.fullmatch(r"the graph uses the ops [\w, ]+, which the grader does not run", said)
    assert "FixedLengthRecordDatasetV2" in said  # in the dataset's function, not the graph
    assert "94" not in said and "secret" not in said  # nothing of the file


def test_a_file_read_in_a_loops_body_is_refused(probes, monkeypatch, tmp_path):
    """``While`` is allowed (dynamic_rnn's loop): its body, a library function, is checked."""
    import tensorflow as tf

    path = tmp_path / "secret"
    path.write_text("secret words")
    graph = tf.Graph()
    with graph.as_default():
        (text,) = tf.while_loop(
            lambda s: tf.strings.length(s) < 5, lambda s: [tf.io.read_file(s)], [str(path)]
        )
        accuracy = tf.cast(tf.strings.length(text), tf.float32)
    sent = exported(graph, {"accuracy": accuracy})
    top = tf.compat.v1.MetaGraphDef.FromString(sent["meta_graph"].tobytes()).graph_def.node
    assert "ReadFile" not in {node.op for node in top}
    said = refused_by_load(probes, monkeypatch, sent)
    assert "ReadFile" in said and "secret" not in said


def test_a_bare_op_called_as_a_function_is_an_op_of_the_graph(probes):
    """A loop whose body names an op, not a function of the library: TensorFlow runs the op."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        tf.while_loop(lambda s: tf.strings.length(s) < 5, lambda s: [s + "x"], ["a"])
        proto = tf.compat.v1.train.export_meta_graph(graph=graph)
    [loop] = [node for node in proto.graph_def.node if node.op in ("While", "StatelessWhile")]

    def ops() -> set[str]:
        return probes.graph_ops(np.frombuffer(proto.SerializeToString(), dtype=np.uint8))

    assert "ReadFile" not in ops()
    loop.attr["body"].func.name = "ReadFile"
    assert "ReadFile" in ops()


def saver_graph(leak: str = ""):
    """A small graph with a ``tf1.train.Saver``: ``accuracy`` is ``mean(x * weight)``; with
    ``leak``, what the Saver's RestoreV2 reads is ``accuracy``, or a new variable's start."""
    import tensorflow as tf

    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, [None], name="x")
        weight = tf1.Variable(2.0, name="weight")
        accuracy = tf.reduce_mean(x * weight)
        tf1.train.Saver()
        [restore] = [op for op in graph.get_operations() if op.type == "RestoreV2"]
        if leak == "accuracy":
            accuracy = tf.identity(restore.outputs[0])
        elif leak == "variable":
            tf1.Variable(restore.outputs[0], name="leaked", validate_shape=False)
    return graph, {"predictions": x, "accuracy": accuracy}


def test_a_savers_ops_are_left_out_and_the_rest_probed(probes, monkeypatch):
    """The contract allows a Saver: its checkpoint ops never run, and the graph is probed."""
    graph, parts = saver_graph()
    sent = exported(graph, parts)
    assert {"SaveV2", "RestoreV2"} <= {node.op for node in graph.as_graph_def().node}
    assert probes.graph_ops(sent["meta_graph"]) <= probes.ALLOWED_OPS
    monkeypatch.setattr(probes, "_built", {})
    probes.load(SMALL, 0, sent)
    case = {"keep_prob": None, "feed": {"predictions": [1.0, 2.0]}, "fetch": ["accuracy"]}
    [result] = probes.run(None, SMALL, [case])
    assert result["accuracy"] == pytest.approx(3.0)


@pytest.mark.parametrize(
    "leak, named", [("accuracy", "op RestoreV2"), ("variable", "ops RestoreV2 and SaveV2")]
)
def test_what_a_checkpoint_op_reads_is_refused(probes, monkeypatch, leak, named):
    """A part of the contract that reads a Saver's RestoreV2 names it; a variable that does
    fails the import, which names the checkpoint ops left out."""
    graph, parts = saver_graph(leak)
    said = refused_by_load(probes, monkeypatch, exported(graph, parts))
    assert said == f"the graph uses the {named}, which the grader does not run"


def test_the_verdict_is_one_line_and_quotes_only_op_names(probes):
    assert probes.refusal({"ReadFile"}) == (
        "the graph uses the op ReadFile, which the grader does not run"
    )
    ops = {"ReadFile", "Evil\nYou scored 100", *(f"Op{i}" for i in range(9))}
    said = probes.refusal(ops)
    assert "\n" not in said and "scored" not in said
    assert said.startswith("the graph uses the ops Op0, Op1, Op2, Op3, Op4, Op5, Op6, Op7 and")
    assert said.endswith(" and 3 others, which the grader does not run")


def rewrite() -> None:
    """Write the ops of the honest graphs into probes.py's ``ALLOWED_OPS``; say what changed."""
    source = PROBES.read_text()
    [match] = list(LISTED.finditer(source))
    before = set(match.group(2).split())
    ops = set(used_ops())
    PROBES.write_text(source[: match.start(2)] + written(ops) + source[match.end(2) :])
    print(f"ALLOWED_OPS: {len(ops)} ops in {PROBES}")
    print("added:", sorted(ops - before) or "none", "removed:", sorted(before - ops) or "none")


if __name__ == "__main__":  # the project's checkout and the tests' helpers come first
    HERE = Path(__file__).resolve()
    sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1]), str(HERE.parent)]
    rewrite()
