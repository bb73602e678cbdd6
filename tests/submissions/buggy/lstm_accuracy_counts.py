"""loses: lstm_graph. Accuracy is the count of correct rows, not their fraction.
names: the count of correct rows
"""


def build_graph(
    n_words: int,
    lstm_size: int = 256,
    lstm_layers: int = 1,
    batch_size: int = 500,
    learning_rate: float = 0.001,
    embed_size: int = 300,
) -> dict:
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")

        embedding = tf1.Variable(
            tf1.random_uniform((n_words, embed_size), -1.0, 1.0), name="embedding"
        )
        embed = tf1.nn.embedding_lookup(embedding, inputs_)

        # A fresh cell per layer: repeating one object would share its weights.
        cells = [
            tf1.nn.rnn_cell.DropoutWrapper(
                tf1.nn.rnn_cell.BasicLSTMCell(lstm_size), output_keep_prob=keep_prob
            )
            for _ in range(lstm_layers)
        ]
        cell = tf1.nn.rnn_cell.MultiRNNCell(cells)
        initial_state = cell.zero_state(batch_size, tf.float32)
        # One time step at a time: dropout masks are then drawn in a fixed order, so a
        # graph built inside seeded() trains the same way every run (~4% slower).
        outputs, final_state = tf1.nn.dynamic_rnn(
            cell, embed, initial_state=initial_state, parallel_iterations=1
        )

        predictions = tf1.layers.dense(outputs[:, -1], 1, activation=tf.sigmoid)
        cost = tf1.losses.mean_squared_error(labels_, predictions)
        optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)

        correct = tf.equal(tf.cast(tf.round(predictions), tf.int32), labels_)
        accuracy = tf.reduce_sum(tf.cast(correct, tf.float32))

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
