"""loses: nothing (lstm). Correct: Keras's Embedding and Dense layers (returned too), the LSTM
run time-major, and the last step taken with tf.gather."""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")
        embed_layer = tf.keras.layers.Embedding(
            n_words,
            embed_size,
            embeddings_initializer=tf.keras.initializers.RandomUniform(-1.0, 1.0),
        )
        embed = embed_layer(inputs_)
        embedding = embed_layer.embeddings
        cell = tf1.nn.rnn_cell.MultiRNNCell(
            [
                tf1.nn.rnn_cell.DropoutWrapper(
                    tf1.nn.rnn_cell.BasicLSTMCell(lstm_size), output_keep_prob=keep_prob
                )
                for _ in range(lstm_layers)
            ]
        )
        initial_state = cell.zero_state(batch_size, tf.float32)
        steps_first, final_state = tf1.nn.dynamic_rnn(
            cell, tf.transpose(embed, [1, 0, 2]), initial_state=initial_state, time_major=True
        )
        outputs = tf.transpose(steps_first, [1, 0, 2])
        last = tf.gather(steps_first, tf.shape(steps_first)[0] - 1)
        dense = tf.keras.layers.Dense(1, activation="sigmoid")
        predictions = dense(last)
        cost = tf.reduce_mean(tf.square(tf.cast(labels_, tf.float32) - predictions))
        optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)
        correct = tf.equal(tf.cast(tf.round(predictions), tf.int32), labels_)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
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
        "layers": {"embedding": embed_layer, "dense": dense},
    }
