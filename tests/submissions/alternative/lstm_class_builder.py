"""loses: nothing (lstm). Correct, written as a class inside build_graph: the output layer's
weights made in __init__ before anything else, the model object itself among the returned
entries, the state built as a tuple of LSTMStateTuples, and keep_prob a placeholder with a
default of 1."""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    class SentimentLSTM:
        def __init__(self):
            self.graph = tf.Graph()
            with self.graph.as_default():
                self.softmax_w = tf1.get_variable(
                    "softmax_w", [lstm_size, 1], initializer=tf1.glorot_uniform_initializer()
                )
                self.softmax_b = tf1.get_variable(
                    "softmax_b", [1], initializer=tf.zeros_initializer()
                )
                self._inputs()
                self._network()
                self._training()

        def _inputs(self):
            self.inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
            self.labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
            self.keep_prob = tf1.placeholder_with_default(1.0, [], name="keep_prob")

        def _network(self):
            self.embedding = tf1.Variable(
                tf1.random_uniform((n_words, embed_size), -1.0, 1.0), name="embedding"
            )
            embed = tf1.nn.embedding_lookup(self.embedding, self.inputs_)
            self.cells = [
                tf1.nn.rnn_cell.DropoutWrapper(
                    tf1.nn.rnn_cell.BasicLSTMCell(lstm_size), output_keep_prob=self.keep_prob
                )
                for _ in range(lstm_layers)
            ]
            stacked = tf1.nn.rnn_cell.MultiRNNCell(self.cells)
            shape = [batch_size, lstm_size]
            self.initial_state = tuple(
                tf1.nn.rnn_cell.LSTMStateTuple(tf.zeros(shape), tf.zeros(shape))
                for _ in range(lstm_layers)
            )
            self.outputs, self.final_state = tf1.nn.dynamic_rnn(
                stacked, embed, initial_state=self.initial_state
            )
            last = self.outputs[:, -1, :]
            self.predictions = tf.sigmoid(tf.matmul(last, self.softmax_w) + self.softmax_b)

        def _training(self):
            labels = tf.cast(self.labels_, tf.float32)
            self.cost = tf1.losses.mean_squared_error(labels, self.predictions)
            self.optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(self.cost)
            rounded = tf.cast(tf.round(self.predictions), tf.int32)
            self.accuracy = tf.reduce_mean(tf.cast(tf.equal(rounded, self.labels_), tf.float32))

        def parts(self):
            names = (
                "graph inputs_ labels_ keep_prob embedding initial_state outputs final_state "
                "predictions cost optimizer accuracy"
            )
            return {name: getattr(self, name) for name in names.split()} | {"model": self}

    return SentimentLSTM().parts()
