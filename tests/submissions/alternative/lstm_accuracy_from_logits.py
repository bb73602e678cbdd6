"""loses: nothing (lstm). Correct: the dense layer by hand with get_variable, cost from a second
sigmoid of the logits, and accuracy from the logits' sign (round(sigmoid(z)) is z > 0)."""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")
        with tf1.variable_scope("embedding"):
            embedding = tf1.get_variable(
                "table", [n_words, embed_size], initializer=tf1.random_uniform_initializer(-1, 1)
            )
            embed = tf.gather(embedding, inputs_)
        with tf1.variable_scope("rnn_layers"):
            layers = []
            for _ in range(lstm_layers):
                lstm = tf1.nn.rnn_cell.BasicLSTMCell(lstm_size)
                layers.append(tf1.nn.rnn_cell.DropoutWrapper(lstm, output_keep_prob=keep_prob))
            cell = tf1.nn.rnn_cell.MultiRNNCell(layers)
            initial_state = cell.zero_state(batch_size, tf.float32)
            outputs, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        with tf1.variable_scope("output"):
            w = tf1.get_variable("w", [lstm_size, 1])
            b = tf1.get_variable("b", [1], initializer=tf1.zeros_initializer())
            logits = tf.matmul(outputs[:, -1], w) + b
            predictions = tf.nn.sigmoid(logits)
        with tf.name_scope("train"):
            cost = tf1.losses.mean_squared_error(labels_, tf.sigmoid(logits))
            optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)
        with tf.name_scope("accuracy"):
            positive = tf.cast(logits > 0, tf.int32)
            accuracy = tf.reduce_mean(tf.cast(tf.equal(positive, labels_), tf.float32))
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
