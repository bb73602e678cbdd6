"""loses: nothing (lstm). Correct, and the dict holds more than the contract's keys: the cells,
a Saver, the hyperparameters, a function and None ("at least these keys")."""


def build_graph(
    n_words, lstm_size=256, lstm_layers=1, batch_size=500, learning_rate=0.001, embed_size=300
):
    params = {
        "n_words": n_words,
        "lstm_size": lstm_size,
        "lstm_layers": lstm_layers,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "embed_size": embed_size,
    }
    graph = tf.Graph()
    with graph.as_default():
        inputs_ = tf1.placeholder(tf.int32, [None, None], name="inputs")
        labels_ = tf1.placeholder(tf.int32, [None, None], name="labels")
        keep_prob = tf1.placeholder(tf.float32, [], name="keep_prob")
        embedding = tf1.Variable(
            tf1.random_uniform((n_words, embed_size), -1.0, 1.0), name="embedding"
        )
        embed = tf1.nn.embedding_lookup(embedding, inputs_)
        lstms = [tf1.nn.rnn_cell.BasicLSTMCell(lstm_size) for _ in range(lstm_layers)]
        drops = [tf1.nn.rnn_cell.DropoutWrapper(c, output_keep_prob=keep_prob) for c in lstms]
        cell = tf1.nn.rnn_cell.MultiRNNCell(drops)
        initial_state = cell.zero_state(batch_size, tf.float32)
        outputs, final_state = tf1.nn.dynamic_rnn(cell, embed, initial_state=initial_state)
        dense = tf1.layers.Dense(1, activation=tf.sigmoid)
        predictions = dense(outputs[:, -1])
        cost = tf1.losses.mean_squared_error(labels_, predictions)
        optimizer = tf1.train.AdamOptimizer(learning_rate).minimize(cost)
        correct = tf.equal(tf.cast(tf.round(predictions), tf.int32), labels_)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        saver = tf1.train.Saver()
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
        "cell": cell,
        "cells": lstms,
        "dense_layer": dense,
        "saver": saver,
        "params": params,
        "describe": lambda: f"an LSTM of {lstm_layers} layer(s)",
        "summary": None,
        "nested": {"state": [initial_state, final_state], "layers": (lstms, {"dense": dense})},
    }
