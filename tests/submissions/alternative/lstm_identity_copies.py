"""loses: nothing (lstm). Correct: the returned tensors are named tf.identity copies, and cost
and accuracy are computed from the tensors before the copies (the same values)."""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")
        embedding = tf1.Variable(
            tf1.random_uniform((n_words, embed_size), -1.0, 1.0), name="embedding"
        )
        embed = tf1.nn.embedding_lookup(embedding, inputs_)
        cell = tf1.nn.rnn_cell.MultiRNNCell(
            [
                tf1.nn.rnn_cell.DropoutWrapper(
                    tf1.nn.rnn_cell.BasicLSTMCell(lstm_size), output_keep_prob=keep_prob
                )
                for _ in range(lstm_layers)
            ]
        )
        initial_state = cell.zero_state(batch_size, tf.float32)
        rnn_out, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        outputs = tf.identity(rnn_out, name="outputs")
        probabilities = tf1.layers.dense(rnn_out[:, -1], 1, activation=tf.sigmoid)
        predictions = tf.identity(probabilities, name="predictions")
        squared = tf.square(tf.cast(labels_, tf.float32) - probabilities)
        cost = tf.identity(tf.reduce_mean(squared), name="cost")
        optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)
        hits = tf.equal(tf.cast(tf.round(probabilities), tf.int32), labels_)
        accuracy = tf.identity(tf.reduce_mean(tf.cast(hits, tf.float32)), name="accuracy")
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
