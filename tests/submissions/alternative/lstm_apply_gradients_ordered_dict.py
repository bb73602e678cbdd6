"""loses: nothing (lstm). Correct: compute_gradients and apply_gradients with a global step,
tf.nn.sigmoid on a tf1.layers.dense without activation, the cost as reduce_mean(square(...)),
and an OrderedDict with extra tensor entries."""

from collections import OrderedDict


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    graph = tf.Graph()
    with graph.as_default():
        global_step = tf1.train.get_or_create_global_step()
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")
        embedding = tf1.Variable(tf1.random_uniform((n_words, embed_size), -1, 1))
        embed = tf1.nn.embedding_lookup(embedding, inputs_)
        cells = []
        for layer in range(lstm_layers):
            with tf1.variable_scope(f"layer_{layer}"):
                lstm = tf1.nn.rnn_cell.BasicLSTMCell(lstm_size, name=f"lstm_{layer}")
                cells.append(tf1.nn.rnn_cell.DropoutWrapper(lstm, output_keep_prob=keep_prob))
        cell = tf1.nn.rnn_cell.MultiRNNCell(cells)
        initial_state = cell.zero_state(batch_size, tf.float32)
        outputs, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        logits = tf1.layers.dense(outputs[:, -1], 1)
        predictions = tf.nn.sigmoid(logits)
        cost = tf.reduce_mean(tf.square(predictions - tf.cast(labels_, tf.float32)))
        adam = tf1.train.AdamOptimizer(learning_rate=learning_rate)
        optimizer = adam.apply_gradients(adam.compute_gradients(cost), global_step=global_step)
        correct = tf.equal(tf.cast(tf.round(predictions), tf.int32), labels_)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return OrderedDict(
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
        logits=logits,
        global_step=global_step,
    )
