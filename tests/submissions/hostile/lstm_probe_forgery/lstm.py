"""No graph at all: replaces the grader's probes in its own process with plausible numbers.

A review found this scored lstm_graph 20/20 when the probes ran beside the submission:
``describe`` said every part was there, ``run`` and ``train_step`` answered with numpy.
Now the submission's process only exports; the forged export has no graph to probe.
"""

import sys

import numpy as np

_probes = sys.modules.get("probes")
KEYS = (
    "accuracy cost embedding final_state graph initial_state inputs_ keep_prob labels_ "
    "optimizer outputs predictions"
).split()


def _describe(lstm, config):
    c = {"lstm_size": 256, "lstm_layers": 1, "batch_size": 500, "embed_size": 300, **config}
    batch, units, width = c["batch_size"], c["lstm_size"], c["embed_size"]
    tensor = {"dtype": "float32", "op": "Identity", "shape": [batch, 1], "variable": False}
    return {
        "keys": KEYS,
        "graph_is_tf_graph": True,
        "graph_is_default": False,
        "graph_id": len(str(config)),
        "eager": True,
        **{key: dict(tensor) for key in KEYS if key != "graph"},
        "embedding": {
            "dtype": "float32",
            "op": "VarHandleOp",
            "shape": [c["n_words"], width],
            "variable": True,
        },
        "variables": [["embedding:0", [c["n_words"], width]]],
        "initial_state": [[batch, units]] * 2 * c["lstm_layers"],
        "final_state": [[batch, units]] * 2 * c["lstm_layers"],
        "in_graph": {key: True for key in KEYS if key != "graph"},
    }


def _run(lstm, config, cases, weights=None, seed=0):
    return [
        {key: np.full((config["batch_size"], 1), 0.5) for key in case["fetch"]} for case in cases
    ]


def _export(lstm, config, seed=0):
    facts = {"graph_is_tf_graph": True, "graph_is_default": False, "graph_id": 1, "eager": True}
    parts = {key: {"tensor": f"{key}:0"} for key in KEYS if key != "graph"}
    parts["graph"] = {"graph": True}
    return {
        "meta_graph": np.frombuffer(b"\x08\x01forged", dtype=np.uint8),
        "parts": parts,
        "facts": facts,
    }


if _probes is not None:
    _probes.describe = _describe
    _probes.run = _run
    _probes.forward = lambda lstm, config, weights, x, y, **kw: _run(
        lstm, config, [{"fetch": ["predictions"]}]
    )[0]
    _probes.train_step = lambda *a, **kw: {"before": [], "after": [], "cost": 0.0}
    _probes.export = _export


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    raise NotImplementedError
