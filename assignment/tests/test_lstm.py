"""Public tests for lstm.py, through ``probes`` (the grader's window into your graph).

``sub.probe.describe(config)`` builds your graph and reports its parts;
``sub.probe.forward(config, weights, x, y)`` runs one batch through it.
TensorFlow takes a few seconds to import; these tests import it once.
"""

import numpy as np
import pytest

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


def test_the_graph_has_every_part(sub):
    graph = sub.probe.describe(SMALL)
    assert set(KEYS) <= set(graph["keys"])
    assert graph["inputs_"]["dtype"] == graph["labels_"]["dtype"] == "int32"
    assert graph["keep_prob"]["dtype"] == "float32"
    assert graph["embedding"]["shape"] == [10, 6]


def test_predictions_are_probabilities(sub):
    x = np.array([[0, 0, 1, 2, 3]] * 4, dtype=np.int32)
    result = sub.probe.forward(SMALL, None, x, np.array([0, 1, 0, 1]))
    predictions = result["predictions"]
    assert predictions.shape == (4, 1)
    assert np.all((predictions > 0) & (predictions < 1))


def test_two_layers_have_their_own_weights(sub):
    graph = sub.probe.describe({**SMALL, "lstm_layers": 2})
    kernels = [shape for name, shape in graph["variables"] if "kernel" in name]
    # Layer 1 reads the embedding (6) and its state (8); layer 2 reads layer 1 (8) and its state.
    assert kernels[:2] == [[6 + 8, 4 * 8], [8 + 8, 4 * 8]]
