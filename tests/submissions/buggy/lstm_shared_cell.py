"""loses: lstm_graph. The sheet's MultiRNNCell([drop] * lstm_layers): one cell for every layer.
names: A likely cause: MultiRNNCell([drop] * lstm_layers) repeats one cell object
"""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, name="keep_prob")
        embedding = tf1.Variable(tf1.random_uniform((n_words, embed_size), -1, 1))
        embed = tf1.nn.embedding_lookup(embedding, inputs_)
        lstm = tf1.nn.rnn_cell.BasicLSTMCell(lstm_size)
        drop = tf1.nn.rnn_cell.DropoutWrapper(lstm, output_keep_prob=keep_prob)
        cell = tf1.nn.rnn_cell.MultiRNNCell([drop] * lstm_layers)
        initial_state = cell.zero_state(batch_size, tf.float32)
        outputs, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        predictions = tf1.layers.dense(outputs[:, -1], 1, activation=tf.sigmoid)
        cost = tf1.losses.mean_squared_error(labels_, predictions)
        optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)
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
