"""The RNN lab's notebook: its cells, in order (the kit's ``lab.ipynb``), and what comes with it.

``cells(export=..., notebook=..., tests_dir=...)`` returns ``(kind, source)`` pairs,
kind ``"markdown"`` or ``"code"``. The engine gives the cell source that zips the
submission (for the last cell), the notebook's file name and otter's tests folder.
``kit_files`` ship beside the notebook (``get_data.py``: the data in one step), ``readme``
goes into the kit's README and ``gitignore`` into its ``.gitignore``.

The sizes of the runs are plain variables in one cell near the top, set to a quick run; the
cell says what the lab sheet's full run uses. What the quick run reaches is measured, not
guessed: ``benchmarks/bench_quick_run.py --record`` runs this notebook's code on the reference
over several seeds and writes ``quick_run.json`` beside this file, and the notebook and the
README state the range observed from it (``QUICK_RUN``). On a tiny data set the notebook runs
top to bottom in seconds (``tests/system/test_kit.py``).
"""

import json
import math
from pathlib import Path

MEASURED = json.loads(Path(__file__).with_name("quick_run.json").read_text(encoding="utf-8"))
"""The quick run on the reference, seed by seed (``benchmarks/bench_quick_run.py``)."""


def _down(values: list[float]) -> str:
    """The range of ``values`` with both ends rounded down to two decimals: neither end is
    more than a run reached."""
    low, high = (math.floor(v * 100) / 100 for v in (min(values), max(values)))
    return f"{low:.2f} to {high:.2f}"


def quick_run(measured: dict = MEASURED) -> str:
    """What the quick run reached over the measured seeds, as a sentence's end."""
    runs = measured["runs"].values()
    best = _down([max(r["val_acc"]) for r in runs])
    test = _down([r["test_acc"] for r in runs])
    seconds = [r["train_seconds"] for r in runs]
    took = f"{math.floor(min(seconds))} to {math.ceil(max(seconds))}"
    return (
        f"over {len(runs)} seeds, its best validation accuracy was {best} and the test accuracy "
        f"of that checkpoint {test} (chance is 0.5); training took {took} seconds on two "
        f"shared cores (measured on {measured['date']})"
    )


QUICK_RUN = quick_run()
"""The range observed, as the notebook and the README say it."""

kit_files = ["get_data.py"]
gitignore = ["data/", "checkpoints/"]

readme = f"""\
## The data

Part 2 reads 25,000 movie reviews (`data/reviews.txt`, 34 MB, one review a line) and their
labels (`data/labels.txt`, `positive` or `negative`): the training reviews of the Stanford
Large Movie Review Dataset (IMDB, aclImdb v1), lower-cased, as Udacity's deep-learning course
publishes them on GitHub (`udacity/deep-learning`, folder `sentiment-network`; the same files
are in `udacity/deep-learning-v2-pytorch`, `sentiment-rnn/data`). Get them once:

    python get_data.py                  # downloads them into data/ and checks their sha256
    python get_data.py --from FOLDER    # or copies the copy you have (plain or .gz)

The notebook does the same in its data cell. `get_data.py` needs nothing but Python; `data/`
stays out of git (`.gitignore`).

## How long it takes

The notebook's sizes are plain variables in one cell near the top, set to a quick run: part 1
takes seconds; as for part 2, {QUICK_RUN}. The same `SEED` gives the same numbers on every
run on one machine: another seed, other numbers. The lab sheet's full run (the values that
cell gives: all 25,000 reviews, an LSTM of 256 units, 10 epochs) takes 15 to 20 minutes on two
cores; one run of it reached 0.83 validation and 0.81 test accuracy.
"""


def md(text: str) -> tuple[str, str]:
    return ("markdown", text)


def code(text: str) -> tuple[str, str]:
    return ("code", text)


def cells(*, export: str, notebook: str, tests_dir: str) -> list[tuple[str, str]]:
    modules = "`vocab.py`, `labels.py`, `padding.py`, `splits.py`, `rnn.py`, `lstm.py`"
    return [
        md(
            "# Recurrent networks: a sine wave and 25,000 movie reviews\n\n"
            "In this lab you write a recurrent network twice. First by hand, in numpy: it "
            "learns to predict the next value of a sine wave. Then with TensorFlow: an LSTM "
            "that reads movie reviews and says whether each is positive or negative.\n\n"
            "Your code goes in the modules next to this notebook (`vocab.py`, `labels.py`, "
            "`padding.py`, `splits.py`, `rnn.py`, `lstm.py`): every function that raises "
            "`NotImplementedError` is yours to write, and its docstring says exactly what it "
            "must do. The notebook calls your modules, and the `grader.check(...)` cells run "
            "the public tests of each question. The hidden tests used for grading are "
            "stricter: read the docstrings."
        ),
        code(
            "import logging\nimport os\nimport warnings\n\n"
            "# TensorFlow 1's LSTM cells, which part 2 uses, live in tf-keras.\n"
            'os.environ["TF_USE_LEGACY_KERAS"] = "1"\n'
            "# TensorFlow's start-up lines (CUDA, oneDNN) and deprecation warnings are not yours\n"
            "# to fix: they are silenced here (TensorFlow writes some straight to stderr).\n"
            'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")\n'
            'warnings.filterwarnings("ignore", category=DeprecationWarning)\n'
            'warnings.filterwarnings("ignore", message=".*deprecated", category=UserWarning)\n'
            "null, stderr = os.open(os.devnull, os.O_WRONLY), os.dup(2)\n"
            "os.dup2(null, 2)\n"
            "try:\n"
            "    import tensorflow as tf\n"
            "finally:\n"
            "    os.dup2(stderr, 2)\n"
            "    os.close(stderr), os.close(null)\n"
            "tf.get_logger().setLevel(logging.ERROR)  # its own log lines: errors only\n\n"
            "%load_ext autoreload\n%autoreload 2\n\n"
            "import matplotlib.pyplot as plt\nimport numpy as np\nimport otter\n\n"
            "import labels\nimport padding\nimport rnn\nimport splits\nimport vocab\n\n"
            f'grader = otter.Notebook("{notebook}", tests_dir="{tests_dir}")'
        ),
        md(
            "### How long the runs take\n\n"
            "The cell below holds every size of the lab's runs. Its values are a quick run: part "
            f"1 trains in seconds. For part 2's LSTM, measured on the reference: {QUICK_RUN}. "
            "The same `SEED` gives the same numbers every time you run it (on one machine); "
            "another seed gives others. The lab sheet's full run, the values in the comments, "
            "takes 15 to 20 minutes on two cores; one run of it reached 0.83 validation and "
            "0.81 test accuracy. Change the values here, then run the notebook again from this "
            "cell."
        ),
        code(
            "SINE_EPOCHS = 30        # part 1: passes over the sine windows\n"
            "LIMIT = 6000            # part 2: the first LIMIT reviews (full run: 0, all 25,000)\n"
            "LSTM_SIZE = 64          # units of each LSTM layer (full run: 256)\n"
            "LSTM_LAYERS = 1         # stacked LSTM layers (full run: 1)\n"
            "EMBED_SIZE = 64         # length of a word's embedding (full run: 300)\n"
            "BATCH_SIZE = 100        # reviews a training step (full run: 500)\n"
            "LEARNING_RATE = 0.003   # Adam's (full run: 0.001)\n"
            "KEEP_PROB = 0.5         # dropout's keep probability in training (full run: 0.5)\n"
            "EPOCHS = 4              # passes over the training reviews (full run: 10)\n"
            "SHUFFLE = True          # shuffle the training reviews each epoch (the sheet: False)\n"
            "CARRY_STATE = False     # carry the LSTM state from batch to batch (the sheet: True)\n"
            "SEED = 0                # the LSTM's initial weights, dropout and shuffling"
        ),
        md(
            "## Part 1: predicting a sine wave with a numpy RNN\n\n"
            "Given 50 consecutive values of `sin(t)`, predict the 51st. The data set cuts "
            "`sin(0), ..., sin(199)` into windows of 50 values, each with the value that follows "
            "it as its target. Inputs have the shape *(records, sequence length, 1)* (one "
            "kind of sequence, the sine wave), targets *(records, 1)*. The last 50 windows are "
            "kept aside for validation."
        ),
        code(
            "X, Y, X_val, Y_val = rnn.sine_data()\n"
            "print(X.shape, Y.shape, X_val.shape, Y_val.shape)\n"
            "plt.plot(X[0, :, 0])\nplt.title('one input window')\nplt.show()"
        ),
        md(
            "### The model\n\n"
            "A hidden layer of `hidden_dim` sigmoid units reads the sequence one value at a "
            "time. At step `t` the state is `s_t = sigmoid(W @ s_{t-1} + U[:, t:t+1] * x[t])`, "
            "starting from `s_{-1} = 0`; the prediction is `V @ s_{T-1}`, after the last step, and "
            "the loss of one record is `0.5 * sum((y_hat - y) ** 2)`. `U` connects the input to "
            "the hidden layer, `W` the hidden layer to itself across time, `V` the hidden layer "
            "to the output.\n\n"
            "Write `rnn_forward`, `rnn_loss` (a mean over records) and `clip_gradients` in "
            "`rnn.py`."
        ),
        code(
            "U, W, V = rnn.init_weights(hidden_dim=100, T=50, output_dim=1, low=-0.3, "
            "high=0.3, seed=0)\n"
            "y_hat, layers = rnn.rnn_forward(X[0], U, W, V)\n"
            "print('prediction', y_hat.ravel(), 'target', Y[0], 'steps', len(layers))\n"
            "print('mean loss', rnn.rnn_loss(X, Y, U, W, V))"
        ),
        code('grader.check("rnn_forward")'),
        md(
            "### Back-propagation through time\n\n"
            "The gradient of the loss flows back from the single output, through every hidden "
            "state, to the weights. Truncated BPTT (`bptt_truncate=k`) stops after the last `k` "
            "steps; it is cheaper and, for long sequences, often enough. With "
            "`bptt_truncate=None` the gradient is exact, and a gradient check (central "
            "differences) must agree with it.\n\n"
            "The lab sheet's printed backward pass is wrong in several places: `rnn_backward`'s "
            "docstring says where to look. Write it from the formulas."
        ),
        code(
            "rng = np.random.default_rng(0)\n"
            "x, y = rng.normal(size=(6, 1)), rng.normal(size=(1, 1))\n"
            "u, w, v = (rng.normal(0, 0.3, shape) for shape in ((4, 6), (4, 4), (1, 4)))\n"
            "_, small_layers = rnn.rnn_forward(x, u, w, v)\n"
            "analytic = rnn.rnn_backward(x, y, u, w, v, small_layers, bptt_truncate=None)\n\n"
            "def loss():\n"
            "    return 0.5 * float(np.sum((rnn.rnn_forward(x, u, w, v)[0] - y) ** 2))\n\n"
            "for name, weight, grad in zip('UWV', (u, w, v), analytic):\n"
            "    numeric = np.zeros_like(weight)\n"
            "    for i in np.ndindex(weight.shape):\n"
            "        kept = weight[i]\n"
            "        weight[i] = kept + 1e-5; plus = loss()\n"
            "        weight[i] = kept - 1e-5; minus = loss()\n"
            "        weight[i] = kept\n"
            "        numeric[i] = (plus - minus) / 2e-5\n"
            "    error = np.abs(grad - numeric).max() / max(np.abs(numeric).max(), 1e-12)\n"
            "    print(f'd{name}: relative error {error:.1e}')"
        ),
        code('grader.check("rnn_backward")'),
        md(
            "### Training\n\n"
            "`rnn.train` runs the sheet's loop: for each record, a forward pass, a backward "
            "pass, clipping, and a small step against the gradient. The sheet's settings "
            "(weights from uniform(0, 1), learning rate 1e-4) leave the sigmoids saturated and "
            "the loss barely moves; weights near zero and a larger step learn the wave."
        ),
        code(
            "(U, W, V), history = rnn.train(X, Y, X_val, Y_val, (U, W, V), "
            "nepoch=SINE_EPOCHS, learning_rate=1e-2)\n"
            "fig, axes = plt.subplots(1, 3, figsize=(15, 4))\n"
            "axes[0].plot(Y[:, 0], 'r', label='truth'); "
            "axes[0].plot(rnn.predict(X, U, W, V)[:, 0], 'g--', label='prediction')\n"
            "axes[1].plot(Y_val[:, 0], 'r', label='truth'); "
            "axes[1].plot(rnn.predict(X_val, U, W, V)[:, 0], 'g--', label='prediction')\n"
            "axes[2].semilogy([h[0] for h in history], label='training')\n"
            "axes[2].semilogy([h[1] for h in history], label='validation')\n"
            "for ax, title in zip(axes, ('training set', 'validation set', 'mean loss')):\n"
            "    ax.set_title(title); ax.legend()\n"
            "plt.show()"
        ),
        md(
            "## Part 2: sentiment analysis with an LSTM\n\n"
            "The data are 25,000 movie reviews (`reviews.txt`, one a line, already lower case) "
            "and their labels (`labels.txt`, `positive` or `negative`): the training reviews of "
            "the Stanford Large Movie Review Dataset (IMDB), as Udacity's deep-learning course "
            "publishes them on GitHub. `get_data.py`, beside this notebook, puts them in `data/`: "
            "the cell below downloads them once (34 MB) and checks their sha256, the same as "
            "`python get_data.py` in a terminal. Without a connection, copy a copy you have with "
            "`python get_data.py --from FOLDER` (plain or `.gz` files).\n\n"
            "A recurrent network reads a review word by word, so the order of the words counts, "
            "not only which words occur."
        ),
        code("import get_data\n\nget_data.fetch()  # into data/, unless the files are there"),
        code(
            "reviews_text, labels_text = get_data.read()  # data/reviews.txt, data/labels.txt\n"
            "reviews = vocab.clean_reviews(reviews_text)\n"
            "print(len(reviews), 'reviews;', reviews[0][:200])"
        ),
        md(
            "### Words to integers\n\n"
            "An embedding layer looks words up by number. Number the words by frequency, the "
            "most frequent 1, and keep 0 free: it will pad short reviews. Then replace every "
            "word of every review by its number. Write `build_vocab` and `encode_reviews`."
        ),
        code(
            "vocab_to_int = vocab.build_vocab(reviews)\n"
            "reviews_ints = vocab.encode_reviews(reviews, vocab_to_int)\n"
            "print(len(vocab_to_int), 'words;', reviews_ints[0][:10])"
        ),
        code('grader.check("vocab")'),
        md("### Labels\n\n`positive` becomes 1, `negative` 0. Write `encode_labels`."),
        code(
            "encoded_labels = labels.encode_labels(labels_text)\n"
            "print(encoded_labels[:10], len(encoded_labels))"
        ),
        code('grader.check("labels")'),
        md(
            "### Padding\n\n"
            "Reviews have very different lengths, and the network reads batches of equal "
            "length. Drop the empty reviews (with their labels), then make every review 200 "
            "words long: pad short ones with 0s on the left, so the words end at the last "
            "step, and keep the first 200 words of long ones. Write `drop_empty` and "
            "`pad_features`."
        ),
        code(
            "from collections import Counter\n"
            "lengths = Counter(len(r) for r in reviews_ints)\n"
            "print('zero-length reviews:', lengths[0], ' longest:', max(lengths))\n"
            "kept, kept_labels = padding.drop_empty(reviews_ints, encoded_labels)\n"
            "if LIMIT:\n"
            "    kept, kept_labels = kept[:LIMIT], kept_labels[:LIMIT]\n"
            "features = padding.pad_features(kept, seq_len=200)\n"
            "print(features.shape); print(features[:3, -10:])"
        ),
        code('grader.check("padding")'),
        md(
            "### Training, validation and test sets\n\n"
            "Keep the order. The first `split_frac` of the rows train; the rest is halved into "
            "validation and test. Write `split_data`."
        ),
        code(
            "train_x, train_y, val_x, val_y, test_x, test_y = splits.split_data(features, "
            "kept_labels, 0.8)\n"
            "for name, part in (('train', train_x), ('validation', val_x), ('test', test_x)):\n"
            "    print(f'{name:11s}', part.shape)"
        ),
        code('grader.check("splits")'),
        md(
            "### The graph\n\n"
            "`lstm.build_graph` builds the network in a TensorFlow 1-style graph: "
            "placeholders for the reviews, the labels and the dropout keep probability; an "
            "embedding; `lstm_layers` LSTM cells, each with dropout on its outputs, stacked; "
            "one sigmoid unit on the last step's output; the mean squared error; Adam; and the "
            "accuracy. Every layer needs its own cell: see the docstring."
        ),
        code(
            "import lstm\n\n"
            "# Every batch has batch_size reviews: no more than the smallest set holds.\n"
            "batch_size = min(BATCH_SIZE, len(train_x), len(val_x), len(test_x))\n"
            "if batch_size < BATCH_SIZE:\n"
            "    print(f'batch size {batch_size}: the smallest set has no more reviews')\n"
            "with lstm.seeded(SEED):  # the same SEED gives the same numbers\n"
            "    model = lstm.build_graph(len(vocab_to_int) + 1, lstm_size=LSTM_SIZE, "
            "lstm_layers=LSTM_LAYERS,\n"
            "                             batch_size=batch_size, learning_rate=LEARNING_RATE, "
            "embed_size=EMBED_SIZE)\n"
            "print({k: getattr(v, 'shape', '') for k, v in model.items() if k != 'graph'})"
        ),
        code('grader.check("lstm_graph")'),
        md(
            "### Training the LSTM\n\n"
            "The sheet's loop, which keeps the checkpoint with the best validation accuracy "
            f"and tests that one. With the quick values of the sizes cell, {QUICK_RUN}. The full "
            "run (all 25,000 reviews, an LSTM of 256, 10 epochs) takes about a minute and a half "
            "an epoch; one run of it reached 0.83 validation and 0.81 test accuracy. The sheet "
            "carries the LSTM state from one batch of unrelated reviews into the next and never "
            "shuffles (`CARRY_STATE = True`, `SHUFFLE = False`): one full run of that peaked at "
            "0.78 in epoch 2, then the validation accuracy collapsed."
        ),
        code(
            "history = lstm.train(model, train_x, train_y, val_x, val_y, epochs=EPOCHS, "
            "keep_prob=KEEP_PROB,\n"
            '                     checkpoint="checkpoints/sentiment.ckpt", seed=SEED, '
            "shuffle=SHUFFLE, carry_state=CARRY_STATE)\n"
            "for h in history:\n"
            "    print(f\"epoch {h['epoch']}: train loss {h['train_loss']:.3f}, "
            "val acc {h['val_acc']:.3f}\")\n"
            'test_acc = lstm.evaluate(model, test_x, test_y, checkpoint="checkpoints", '
            "carry_state=CARRY_STATE)\n"
            "print(f'test accuracy {test_acc:.3f}')\n"
            "plt.plot([h['epoch'] for h in history], [h['val_acc'] for h in history], 'o-')\n"
            "plt.xlabel('epoch'); plt.ylabel('validation accuracy'); plt.show()"
        ),
        md(
            "## Submitting\n\n"
            "Run every `grader.check` cell above, save the notebook, then run the cell below. "
            f"It writes a zip with this notebook and every `.py` file beside it ({modules}, "
            "and any module of your own that they import): that zip is what you hand in. "
            "Handing in the `.py` files themselves, or a zip of them, is graded the same way: "
            "only your modules are graded. The grader tests them and never runs this notebook, "
            "so its outputs neither earn nor cost points. Ran it without an editor (`python -m "
            "nbconvert --execute`)? The cell below then zips the notebook as it was before the "
            "run: hand in with the command in its comment instead (the README has it too)."
        ),
        code(export),
    ]
