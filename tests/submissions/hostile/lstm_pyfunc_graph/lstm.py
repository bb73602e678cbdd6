"""A graph whose predictions come from ``tf.py_function``: Python the grader would run.

In the clean sandbox the function does not exist, and the graph is refused before it is
imported: an op that calls back into Python never runs there.
"""

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _answer(x):
    return np.full((x.shape[0], 1), 0.5, dtype=np.float32)


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, name="keep_prob")
        embedding = tf.Variable(tf1.random_uniform((n_words, embed_size), -1, 1))
        predictions = tf1.py_func(_answer, [inputs_], tf.float32)
        predictions.set_shape([None, 1])
        cost = tf1.losses.mean_squared_error(labels_, predictions)
        accuracy = tf.reduce_mean(
            tf.cast(tf.equal(tf.round(predictions), tf.cast(labels_, tf.float32)), tf.float32)
        )
        scale = tf.Variable(1.0)
        optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost * scale)
        state = tf.zeros([batch_size, lstm_size])
    return {
        "graph": graph,
        "inputs_": inputs_,
        "labels_": labels_,
        "keep_prob": keep_prob,
        "embedding": embedding,
        "initial_state": state,
        "outputs": tf.zeros([batch_size, 1, lstm_size]) if False else state,
        "final_state": state,
        "predictions": predictions,
        "cost": cost,
        "optimizer": optimizer,
        "accuracy": accuracy,
    }
