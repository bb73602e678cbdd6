"""Public tests for lstm.py: the graph's parts, and one forward pass.

TensorFlow takes a few seconds to import; these tests import it once.
"""

import numpy as np
import pytest
from lstm import build_graph, tf

tf1 = tf.compat.v1
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

KEYS = (
    "graph inputs_ labels_ keep_prob embedding initial_state outputs final_state "
    "predictions cost optimizer accuracy"
).split()


def test_the_graph_has_every_part():
    model = build_graph(n_words=10, lstm_size=8, batch_size=4, embed_size=6)
    assert set(KEYS) <= set(model)
    assert model["inputs_"].dtype == tf.int32 and model["labels_"].dtype == tf.int32
    assert model["keep_prob"].dtype == tf.float32
    assert model["embedding"].shape.as_list() == [10, 6]


def test_predictions_are_probabilities_one_per_review():
    model = build_graph(n_words=10, lstm_size=8, batch_size=4, embed_size=6)
    with tf1.Session(graph=model["graph"]) as sess:
        sess.run(tf1.global_variables_initializer())
        feed = {
            model["inputs_"]: np.array([[0, 0, 1, 2, 3]] * 4, dtype=np.int32),
            model["keep_prob"]: 1.0,
        }
        predictions = sess.run(model["predictions"], feed_dict=feed)
    assert predictions.shape == (4, 1)
    assert np.all((predictions > 0) & (predictions < 1))


def test_two_layers_have_their_own_weights():
    model = build_graph(n_words=10, lstm_size=8, lstm_layers=2, batch_size=4, embed_size=6)
    with model["graph"].as_default():
        kernels = [v for v in tf1.trainable_variables() if "kernel" in v.name]
    # Two LSTM kernels (embedding -> layer 1, layer 1 -> layer 2) and the dense layer's.
    assert len(kernels) == 3
