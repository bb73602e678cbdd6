"""loses: nothing (lstm). Correct, tutorial style: the output layer's weights and biases are
tf.Variables declared up front, before the embedding and the LSTM, and read with tf.matmul."""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        w_out = tf1.Variable(tf1.truncated_normal([lstm_size, 1], stddev=0.1), name="w_out")
        weights = {"out": w_out}
        biases = {"out": tf1.Variable(tf.zeros([1]), name="b_out")}
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, name="keep_prob")
        embedding = tf1.Variable(
            tf1.random_uniform((n_words, embed_size), -1.0, 1.0), name="embedding"
        )
        embed = tf1.nn.embedding_lookup(embedding, inputs_)

        def layer():
            lstm = tf1.nn.rnn_cell.BasicLSTMCell(lstm_size)
            return tf1.nn.rnn_cell.DropoutWrapper(lstm, output_keep_prob=keep_prob)

        cell = tf1.nn.rnn_cell.MultiRNNCell([layer() for _ in range(lstm_layers)])
        initial_state = cell.zero_state(batch_size, tf.float32)
        outputs, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        logits = tf.matmul(outputs[:, -1], weights["out"]) + biases["out"]
        predictions = tf.nn.sigmoid(logits)
        cost = tf.reduce_mean(tf.square(tf.cast(labels_, tf.float32) - predictions))
        optimizer = tf1.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
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
    }
