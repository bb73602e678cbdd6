# Generated from the reference by `rnnlab stubs`: fill in the functions that
# raise NotImplementedError. Do not rename functions or change their signatures.
"""Lab part 2, step 5: the LSTM sentiment classifier as a TensorFlow 1-style graph.

The graph is the lab sheet's: reviews (rows of ``seq_len`` word integers) go
through an embedding, one or more LSTM layers with dropout on their outputs,
and a single sigmoid unit on the LAST time step's output, which predicts
positive (1) or negative (0).

TensorFlow is used through ``tf.compat.v1`` (here ``tf1``) in graph mode:
placeholders, ``tf1.nn.rnn_cell.BasicLSTMCell``, ``DropoutWrapper``,
``MultiRNNCell``, ``tf1.nn.dynamic_rnn`` and sessions, exactly as the sheet
writes them. ``build_graph`` is graded; ``get_batches``, ``train`` and
``evaluate`` are provided and only use the dict ``build_graph`` returns.
"""

import contextlib
import inspect
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

# From TF 2.16 on, BasicLSTMCell & co. exist only under legacy Keras (tf-keras).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no C++ log lines (cuInit errors on CPUs)

import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1


def build_graph(
    n_words: int,
    lstm_size: int = 256,
    lstm_layers: int = 1,
    batch_size: int = 500,
    learning_rate: float = 0.001,
    embed_size: int = 300,
) -> dict:
    """Build the sentiment network in a NEW ``tf.Graph`` and return its parts.

    Args:
        n_words: rows of the embedding, ``len(vocab_to_int) + 1`` (row 0 is
            the padding "word").
        lstm_size: units in each LSTM layer.
        lstm_layers: number of stacked LSTM layers (1 or more).
        batch_size: rows per batch; the zero ``initial_state`` is built for
            exactly this many rows, so every batch fed with it must have it.
        learning_rate: Adam's learning rate.
        embed_size: length of each word's embedding vector.

    Every call builds everything in a graph of its own, a new ``tf.Graph``
    (never the default graph), with TensorFlow 1-style graph code through
    ``tf1 = tf.compat.v1`` as the lab sheet writes it: placeholders,
    ``BasicLSTMCell``, ``DropoutWrapper``, ``MultiRNNCell``, ``dynamic_rnn``.
    Eager execution is still on after the call: it is never switched off
    globally.

    The network: each word of ``inputs_`` is replaced by its row of
    ``embedding``; the embedded reviews go through ``lstm_layers`` stacked
    LSTM layers, each a ``BasicLSTMCell`` of ``lstm_size`` units with its OWN
    weights and with dropout (keep probability ``keep_prob``) on its outputs
    only, not on its inputs or its state; the first layer reads the embedded
    reviews, every other layer the outputs of the layer below it. One sigmoid
    unit reads the last layer's output at the LAST time step.

    The sheet stacks its layers as ``MultiRNNCell([drop] * lstm_layers)``.
    What does multiplying a list repeat: new cells, or one cell object? How
    many sets of weights do the layers then have, and what happens with two
    layers when ``embed_size != lstm_size``?

    Returns:
        A dict with (at least) these keys:

        - ``"graph"``: the ``tf.Graph`` holding everything below.
        - ``"inputs_"``: ``int32`` placeholder, shape ``[None, None]``
          (batch, time): the padded reviews.
        - ``"labels_"``: ``int32`` placeholder, shape ``[None, None]``
          (batch, 1): the labels as a column, fed as ``y[:, None]``.
        - ``"keep_prob"``: ``float32`` scalar placeholder (shape ``[]``): the
          keep probability of dropout on the LSTM outputs (0.5 to train, 1 to
          evaluate).
        - ``"embedding"``: the embedding variable, shape ``[n_words,
          embed_size]``, initialised uniformly in ``[-1, 1)``. Row ``i`` is
          word ``i``'s vector, and the LSTM's inputs are read from this very
          variable: changing a row changes the outputs of every review that
          uses that word.
        - ``"initial_state"``: the zero state of the stacked cell for
          ``batch_size`` rows, float32: a tuple with one ``LSTMStateTuple(c,
          h)`` per layer, each part ``[batch_size, lstm_size]``. It can be
          evaluated with nothing fed (the training loop does so before its
          first batch) and it can be fed, which is how the training loop
          carries the state from batch to batch.
        - ``"outputs"``: the last LSTM layer's output (after its dropout) at
          every time step, starting from ``initial_state``: ``[batch, time,
          lstm_size]`` float32.
        - ``"final_state"``: the state after the last step, same structure as
          ``initial_state``.
        - ``"predictions"``: ``[batch, 1]`` float32 in ``(0, 1)``: a dense
          layer of one unit with a sigmoid activation on ``outputs[:, -1]``,
          the output of the LAST time step only.
        - ``"cost"``: scalar, the mean squared error between ``labels_`` and
          ``predictions``: the mean over the rows of ``(label - prediction)
          ** 2``.
        - ``"optimizer"``: the op that takes one Adam step at
          ``learning_rate`` on ``cost`` (every trainable variable moves).
        - ``"accuracy"``: scalar float32, the fraction of rows whose
          prediction, rounded to 0 or 1, equals the label.

        Any other entries (the cells, a ``Saver``, your hyperparameters ...)
        are allowed and ignored. ``cost`` and ``accuracy`` are defined by
        their VALUES: they may be computed from ``predictions`` itself or
        from any tensor with the same values (the logits' sign for the
        rounding, say), and a test that feeds chosen values to
        ``predictions`` and finds cost or accuracy unmoved checks them on
        the graph's own predictions instead. Likewise ``predictions`` may be
        computed from any tensor with the values of ``outputs``. The
        variables may be created in any order, under any names.

    The provided ``train`` and ``evaluate`` (the sheet's loops) run on this
    dict unchanged: they feed ``inputs_``, ``labels_`` (as ``y[:, None]``),
    ``keep_prob`` and ``initial_state``, and fetch ``cost``, ``final_state``,
    ``optimizer`` and ``accuracy``.
    """
    raise NotImplementedError("build_graph: your code here")


# ----------------------------------------------------------------------------
# Provided: batching, the training loop and evaluation of the lab sheet, fixed,
# written to use only the dict that build_graph returns.
# ----------------------------------------------------------------------------


def get_batches(
    x: np.ndarray, y: np.ndarray, batch_size: int = 100
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Provided: the sheet's batches of ``batch_size`` rows, in order, full batches only.

    The last ``len(x) % batch_size`` rows are left out, because the graph's
    ``initial_state`` has room for exactly ``batch_size`` rows.
    """
    n_batches = len(x) // batch_size
    x, y = x[: n_batches * batch_size], y[: n_batches * batch_size]
    for ii in range(0, len(x), batch_size):
        yield x[ii : ii + batch_size], y[ii : ii + batch_size]


def batch_size_of(model: dict, session: Any = None) -> int:
    """Provided: the batch size baked into ``model["initial_state"]``.

    Read from the static shape; if that is unknown, ``session`` evaluates the state.
    """
    first = tf.nest.flatten(model["initial_state"])[0]
    size = first.shape[0] if first.shape.rank else None
    if size is None:
        if session is None:
            raise ValueError("the initial_state's batch size is not static; pass a session")
        size = session.run(first).shape[0]
    return int(size)


def _check_rows(x: np.ndarray, y: np.ndarray, batch_size: int, what: str) -> None:
    if len(x) != len(y):
        raise ValueError(f"{what}: {len(x)} rows of features but {len(y)} labels")
    if len(x) < batch_size:
        raise ValueError(
            f"{what} has {len(x)} rows, fewer than one batch of {batch_size}: the graph's "
            "initial_state is built for exactly batch_size rows and only full batches are "
            "used; build the graph with a smaller batch_size or use more data"
        )


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Provided: make the graphs built inside ``with seeded(seed):`` repeat their random numbers.

    ``tf1.set_random_seed(seed)`` seeds only the graph it is called in, and only
    for ops created after it; ``build_graph`` makes its own graph, so a caller
    cannot call it in time. Inside this block every new ``tf.Graph`` starts
    with the graph-level seed ``seed``, exactly as if its first line were
    ``tf1.set_random_seed(seed)``, and Python's ``random`` is seeded too (the
    LSTM and dense kernels' initialisers draw their seeds from it; its outer
    state comes back afterwards). So::

        with seeded(0):
            model = build_graph(n_words)

    gives the same initial weights on every run, and the same dropout masks:
    ``tf1.nn.dynamic_rnn`` called inside the block runs one time step at a time
    (``parallel_iterations=1``, whatever the call asks), where by default it runs
    up to 32 at once and their random draws come in whatever order the threads
    take. So ``train(model, ..., seed=seed)`` gives the same numbers on every
    run (on one machine). The block is not thread-safe: build one graph at a time.
    """
    original = tf.Graph.__init__
    dynamic_rnn = tf1.nn.dynamic_rnn

    def init(self: tf.Graph, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.seed = seed

    def one_step_at_a_time(*args: Any, **kwargs: Any) -> Any:
        call = inspect.signature(dynamic_rnn).bind(*args, **kwargs)
        call.arguments["parallel_iterations"] = 1
        return dynamic_rnn(*call.args, **call.kwargs)

    outer_random = random.getstate()
    random.seed(seed)
    tf.Graph.__init__ = init
    tf1.nn.dynamic_rnn = one_step_at_a_time
    try:
        yield
    finally:
        tf.Graph.__init__ = original
        tf1.nn.dynamic_rnn = dynamic_rnn
        random.setstate(outer_random)


def _restore(model: dict, session: Any, checkpoint: str | Path) -> None:
    path = Path(checkpoint)
    if path.is_dir():
        latest = tf1.train.latest_checkpoint(str(path))
        if latest is None:
            raise ValueError(f"no checkpoint in the folder {path}")
        path = Path(latest)
    with model["graph"].as_default():
        tf1.train.Saver().restore(session, str(path))


def evaluate(
    model: dict,
    x: np.ndarray,
    y: np.ndarray,
    checkpoint: str | Path | None = None,
    session: Any = None,
    *,
    carry_state: bool = True,
) -> float:
    """Provided: the accuracy of the model on ``(x, y)``, over full batches.

    Like the sheet's validation and test loops: batches of the model's
    ``batch_size`` rows (the last ``len(x) % batch_size`` rows are left out),
    ``keep_prob`` 1, the state starting at zero and carried from batch to batch
    (``carry_state=False`` starts every batch at zero). Returns the mean of the
    batch accuracies, which is the accuracy over the rows used.

    Args:
        model: the dict ``build_graph`` returned.
        x, y: ``(n, seq_len)`` features and ``n`` labels (0/1).
        checkpoint: a checkpoint prefix (e.g. ``checkpoints/sentiment.ckpt``) or
            the folder holding it: its weights are restored first.
        session: a ``tf1.Session`` on ``model["graph"]`` holding trained weights.
            At least one of ``checkpoint`` and ``session`` is needed; with both,
            the checkpoint is restored into the session.

    Raises:
        ValueError: fewer than ``batch_size`` rows (accuracy would be undefined),
            ``len(x) != len(y)``, or neither ``checkpoint`` nor ``session``.
    """
    if checkpoint is None and session is None:
        raise ValueError("evaluate needs a checkpoint to restore or a session with weights")
    own = session is None
    sess = tf1.Session(graph=model["graph"]) if own else session
    try:
        batch_size = batch_size_of(model, sess)
        _check_rows(x, y, batch_size, "the evaluation set")
        if checkpoint is not None:
            _restore(model, sess, checkpoint)
        zero = sess.run(model["initial_state"])
        state, accuracies = zero, []
        for bx, by in get_batches(x, y, batch_size):
            feed = {
                model["inputs_"]: bx,
                model["labels_"]: by[:, None],
                model["keep_prob"]: 1.0,
                model["initial_state"]: state if carry_state else zero,
            }
            acc, state = sess.run([model["accuracy"], model["final_state"]], feed_dict=feed)
            accuracies.append(acc)
        return float(np.mean(accuracies))
    finally:
        if own:
            sess.close()


def train(
    model: dict,
    train_x: np.ndarray,
    train_y: np.ndarray,
    val_x: np.ndarray,
    val_y: np.ndarray,
    epochs: int = 10,
    keep_prob: float = 0.5,
    checkpoint: str | Path = "checkpoints/sentiment.ckpt",
    on_batch: Callable[[int, int, int, float], None] | None = None,
    on_epoch: Callable[[int, float, float, float], None] | None = None,
    seed: int | None = None,
    *,
    shuffle: bool = False,
    carry_state: bool = True,
    val_every: int | None = None,
) -> list[dict]:
    """Provided: the sheet's training loop, fixed to keep the best-validation checkpoint.

    Each epoch runs over the full batches of the training set in order: it
    feeds ``inputs_``, ``labels_`` (``y[:, None]``), ``keep_prob`` and
    ``initial_state`` and fetches ``cost``, ``final_state`` and ``optimizer``,
    carrying ``final_state`` into the next batch as the sheet does (the state
    starts at zero each epoch). At the end of every epoch (and, with
    ``val_every=N``, also every N training steps) it measures the validation
    accuracy with ``evaluate`` and saves a checkpoint ONLY if that accuracy is
    the best so far. (The sheet saved after every step, so its test used the
    last, possibly overfit, weights.)

    Args:
        model: the dict ``build_graph`` returned.
        train_x, train_y, val_x, val_y: features ``(n, seq_len)`` and 0/1 labels.
        epochs: passes over the training set.
        keep_prob: dropout keep probability while training.
        checkpoint: the checkpoint prefix to write (its folder is created).
        on_batch: called as ``on_batch(epoch, batch, n_batches, loss)`` after
            every step (epoch and batch count from 1).
        on_epoch: called as ``on_epoch(epoch, train_loss, val_acc, seconds)``
            after every epoch.
        seed: seeds the shuffling of the training rows (``shuffle=True``).
            The weights' initial values and the dropout masks are fixed when
            the graph is built: build it inside ``with seeded(seed):`` to
            repeat them.
        shuffle: shuffle the training rows at the start of each epoch.
        carry_state: carry the LSTM state from batch to batch (the sheet's way);
            False starts every batch from zero (reviews are independent).
        val_every: also check the validation accuracy every this many steps.

    Returns:
        One dict per epoch: ``epoch`` (from 1), ``train_loss`` (mean of the
        epoch's batch losses), ``val_acc`` (at the end of the epoch),
        ``seconds`` (the epoch's wall time, validation included), ``best``
        (True if a new best checkpoint was saved during the epoch) and
        ``checks`` (every validation of the epoch as ``(step, val_acc)``).

    Raises:
        ValueError: the training or validation set has fewer than ``batch_size`` rows.
    """
    graph = model["graph"]
    batch_size = batch_size_of(model)
    _check_rows(train_x, train_y, batch_size, "the training set")
    _check_rows(val_x, val_y, batch_size, "the validation set")
    rng = np.random.default_rng(seed)
    checkpoint = Path(checkpoint)
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    with graph.as_default():
        init = tf1.global_variables_initializer()
        saver = tf1.train.Saver(max_to_keep=1)

    n_batches = len(train_x) // batch_size
    history: list[dict] = []
    best_acc = -1.0
    step = 0
    with tf1.Session(graph=graph) as sess:
        sess.run(init)
        zero = sess.run(model["initial_state"])

        def check() -> tuple[float, bool]:
            nonlocal best_acc
            acc = evaluate(model, val_x, val_y, session=sess, carry_state=carry_state)
            if acc > best_acc:
                best_acc = acc
                saver.save(sess, str(checkpoint), write_meta_graph=False)
                return acc, True
            return acc, False

        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            if shuffle:
                order = rng.permutation(len(train_x))
                xs, ys = train_x[order], train_y[order]
            else:
                xs, ys = train_x, train_y
            state, losses, checks, improved = zero, [], [], False
            for ii, (x, y) in enumerate(get_batches(xs, ys, batch_size), 1):
                feed = {
                    model["inputs_"]: x,
                    model["labels_"]: y[:, None],
                    model["keep_prob"]: keep_prob,
                    model["initial_state"]: state if carry_state else zero,
                }
                loss, state, _ = sess.run(
                    [model["cost"], model["final_state"], model["optimizer"]], feed_dict=feed
                )
                losses.append(float(loss))
                step += 1
                if on_batch is not None:
                    on_batch(epoch, ii, n_batches, float(loss))
                if val_every and step % val_every == 0 and ii < n_batches:
                    acc, new_best = check()
                    checks.append((step, acc))
                    improved |= new_best
            val_acc, new_best = check()
            checks.append((step, val_acc))
            improved |= new_best
            seconds = time.perf_counter() - start
            train_loss = float(np.mean(losses))
            history.append(
                {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "val_acc": val_acc,
                    "seconds": seconds,
                    "best": improved,
                    "checks": checks,
                }
            )
            if on_epoch is not None:
                on_epoch(epoch, train_loss, val_acc, seconds)
    return history
