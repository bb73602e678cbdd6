"""loses: nothing (lstm). Correct: `with tf.Graph().as_default() as graph`, name scopes, the
dense layer's variables declared first with get_variable and reused by name afterwards, and
the embedding built in a helper function."""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    def embedded(ids):
        with tf1.variable_scope("embed"):
            table = tf1.get_variable(
                "embedding",
                shape=[n_words, embed_size],
                initializer=tf1.random_uniform_initializer(-1.0, 1.0),
            )
        return table, tf1.nn.embedding_lookup(table, ids)

    with tf.Graph().as_default() as graph:
        with tf1.variable_scope("out"):
            tf1.get_variable(
                "W", [lstm_size, 1], initializer=tf1.truncated_normal_initializer(0, 0.1)
            )
            tf1.get_variable("b", [1], initializer=tf1.constant_initializer(0.0))
        with tf.name_scope("inputs"):
            inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
            labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
            keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")
        embedding, embed = embedded(inputs_)
        with tf.name_scope("lstm"):
            cell = tf1.nn.rnn_cell.MultiRNNCell(
                [
                    tf1.nn.rnn_cell.DropoutWrapper(
                        tf1.nn.rnn_cell.BasicLSTMCell(lstm_size), output_keep_prob=keep_prob
                    )
                    for _ in range(lstm_layers)
                ]
            )
            initial_state = cell.zero_state(batch_size, tf.float32)
            outputs, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        with tf1.variable_scope("out", reuse=True):
            W, b = tf1.get_variable("W"), tf1.get_variable("b")
            predictions = tf.sigmoid(tf.matmul(outputs[:, -1], W) + b)
        with tf.name_scope("cost"):
            cost = tf1.losses.mean_squared_error(labels_, predictions)
            optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)
        with tf.name_scope("validation"):
            correct = tf.equal(tf.cast(tf.round(predictions), tf.int32), labels_)
            accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return dict(
        graph=graph,
        inputs_=inputs_,
        labels_=labels_,
        keep_prob=keep_prob,
        embedding=embedding,
        initial_state=initial_state,
        outputs=outputs,
        final_state=final_state,
        predictions=predictions,
        cost=cost,
        optimizer=optimizer,
        accuracy=accuracy,
    )
