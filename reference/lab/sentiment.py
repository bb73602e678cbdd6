"""Lab part 2 end to end: the lab sheet's sentiment pipeline on an implementation.

``run`` reads the reviews, encodes, pads and splits them, builds the LSTM
graph, trains it keeping the best-validation checkpoint, and scores that
checkpoint on the test set. Every step goes through ``impl`` (the reference
or a student's modules), so the same run checks either. TensorFlow is only
touched through ``impl.lstm``; matplotlib is imported when the plot is drawn.
"""

import contextlib
import json
import logging
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from data.sentiment import read_texts

CHECKPOINT = Path("checkpoints") / "sentiment.ckpt"
"""Where the best checkpoint goes, relative to ``out_dir``."""


@contextlib.contextmanager
def _quiet_tensorflow() -> Iterator[None]:
    """Hide TF 1-style deprecation chatter (Python warnings and TF's logger) for a while."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        logger.setLevel(level)


def _plot(path: Path, history: list[dict], test_acc: float, best_epoch: int) -> None:
    from matplotlib.figure import Figure  # no pyplot: no global backend, works headless

    epochs = [h["epoch"] for h in history]
    fig = Figure(figsize=(7, 5.5), layout="constrained")
    ax_loss, ax_acc = fig.subplots(2, 1, sharex=True)
    ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-", color="tab:blue")
    ax_loss.set_ylabel("train loss (MSE)")
    ax_loss.set_title("Sentiment LSTM: learning curve")
    ax_loss.grid(alpha=0.3)
    ax_acc.plot(epochs, [h["val_acc"] for h in history], "o-", color="tab:orange", label="val")
    ax_acc.plot(
        [best_epoch],
        [test_acc],
        "*",
        color="tab:red",
        markersize=14,
        label=f"test, best checkpoint (epoch {best_epoch}): {test_acc:.3f}",
    )
    ax_acc.axhline(test_acc, color="tab:red", linestyle=":", linewidth=1)
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_xticks(epochs)
    lowest = min([test_acc] + [h["val_acc"] for h in history])
    ax_acc.set_ylim(min(0.45, lowest - 0.05), 1.0)  # chance level in view, room for the legend
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(loc="best")
    fig.savefig(path, dpi=100)


def run(
    impl: Any,
    data_dir: Path,
    out_dir: Path,
    *,
    epochs: int = 10,
    lstm_size: int = 256,
    lstm_layers: int = 1,
    embed_size: int = 300,
    batch_size: int = 500,
    learning_rate: float = 0.001,
    keep_prob: float = 0.5,
    seq_len: int = 200,
    split_frac: float = 0.8,
    limit: int | None = None,
    seed: int | None = 0,
    shuffle: bool = False,
    fresh_state: bool = False,
    console: Console | None = None,
) -> dict:
    """Run the lab sheet's sentiment pipeline with ``impl`` and write the results to ``out_dir``.

    Args:
        impl: an object with the modules ``vocab``, ``labels``, ``padding``,
            ``splits`` and ``lstm`` as attributes (the reference's or a student's).
        data_dir: the folder with ``reviews.txt`` and ``labels.txt`` (plain or ``.gz``).
        out_dir: where ``checkpoints/sentiment.ckpt*``, ``learning_curve.png``
            and ``metrics.json`` go (created if needed).
        limit: keep only the first ``limit`` reviews and labels (quick runs).
        shuffle: shuffle the training rows every epoch (the sheet does not).
        fresh_state: start every batch from the zero state, in training and
            evaluation, instead of the sheet's carrying the state from one batch
            of unrelated reviews into the next.
        seed: builds the graph inside ``impl.lstm.seeded(seed)`` and passes it to
            ``train``; None leaves TensorFlow unseeded.
        console: where progress and results are printed (a new ``Console`` if None).
        The rest are the sheet's hyperparameters. If ``batch_size`` is larger than
        the training, validation or test set, it is lowered to the smallest of
        them, and a line says so.

    Returns:
        The metrics written to ``metrics.json``: ``config``, ``data`` (sizes),
        ``history`` (one dict per epoch), ``best_epoch``, ``best_val_acc``,
        ``test_acc`` (of the best checkpoint), ``seconds_per_epoch``,
        ``seconds_total`` and the output paths.

    Raises:
        data.sentiment.DataError: the data files are missing or unreadable.
        ValueError: the data are too few to make one batch in every split, or
            the implementation refuses them (e.g. labels that don't match).
    """
    console = console or Console()
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = out_dir / CHECKPOINT

    # The sheet's preprocessing, each step by the implementation.
    reviews_text, labels_text = read_texts(Path(data_dir))
    reviews = impl.vocab.clean_reviews(reviews_text)
    labels = impl.labels.encode_labels(labels_text)
    if limit is not None:
        reviews, labels = reviews[:limit], labels[:limit]
    vocab_to_int = impl.vocab.build_vocab(reviews)
    reviews_ints = impl.vocab.encode_reviews(reviews, vocab_to_int)
    kept_ints, kept_labels = impl.padding.drop_empty(reviews_ints, labels)
    features = impl.padding.pad_features(kept_ints, seq_len)
    train_x, train_y, val_x, val_y, test_x, test_y = impl.splits.split_data(
        features, np.asarray(kept_labels), split_frac
    )
    console.print(
        f"{len(reviews):,} reviews, {len(vocab_to_int):,} words; "
        f"zero-length reviews dropped: {len(reviews) - len(kept_ints)}"
    )
    console.print("Feature shapes:")
    for name, split in (("Train set", train_x), ("Validation set", val_x), ("Test set", test_x)):
        console.print(f"  {name + ':':<16}{tuple(np.shape(split))}")

    smallest = min(len(train_x), len(val_x), len(test_x))
    if smallest == 0:
        raise ValueError(
            f"too few reviews for three splits ({len(train_x)} / {len(val_x)} / {len(test_x)}); "
            "use more data (a larger --limit)"
        )
    used_batch = batch_size
    if batch_size > smallest:
        used_batch = smallest
        console.print(
            f"batch_size {batch_size} is larger than the smallest split ({smallest} rows): "
            f"using batch_size {used_batch}"
        )

    seeding = getattr(impl.lstm, "seeded", None)
    with _quiet_tensorflow():
        with seeding(seed) if seed is not None and seeding else contextlib.nullcontext():
            model = impl.lstm.build_graph(
                len(vocab_to_int) + 1,
                lstm_size=lstm_size,
                lstm_layers=lstm_layers,
                batch_size=used_batch,
                learning_rate=learning_rate,
                embed_size=embed_size,
            )

        progress = Progress(
            TextColumn("[bold]epoch {task.fields[epoch]}/{task.fields[epochs]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.4f}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        task = None
        best_so_far = -1.0

        def on_batch(epoch: int, batch: int, n_batches: int, loss: float) -> None:
            nonlocal task
            if task is None:
                task = progress.add_task("", total=n_batches, epoch=epoch, epochs=epochs, loss=loss)
            progress.update(task, completed=batch, loss=loss)

        def on_epoch(epoch: int, train_loss: float, val_acc: float, seconds: float) -> None:
            nonlocal task, best_so_far
            if task is not None:
                progress.remove_task(task)
                task = None
            mark = ""
            if val_acc > best_so_far:
                best_so_far, mark = val_acc, "  (best: checkpoint saved)"
            progress.console.print(
                f"epoch {epoch}/{epochs}  train loss {train_loss:.4f}  "
                f"val acc {val_acc:.3f}  {seconds:.1f} s{mark}"
            )

        with progress:
            history = impl.lstm.train(
                model,
                train_x,
                train_y,
                val_x,
                val_y,
                epochs=epochs,
                keep_prob=keep_prob,
                checkpoint=checkpoint,
                on_batch=on_batch,
                on_epoch=on_epoch,
                seed=seed,
                shuffle=shuffle,
                carry_state=not fresh_state,
            )
        test_acc = float(
            impl.lstm.evaluate(
                model, test_x, test_y, checkpoint=checkpoint, carry_state=not fresh_state
            )
        )

    history = json.loads(json.dumps(history, default=float))  # numpy scalars -> JSON types
    best = max(history, key=lambda h: h["val_acc"])
    scored = len(test_x) // used_batch * used_batch
    console.print(
        f"Test accuracy {test_acc:.3f} (best checkpoint: epoch {best['epoch']}, "
        f"val acc {best['val_acc']:.3f}; {scored} of {len(test_x)} test reviews in full batches)"
    )
    curve = out_dir / "learning_curve.png"
    _plot(curve, history, test_acc, best["epoch"])
    metrics = {
        "config": {
            "data_dir": str(data_dir),
            "epochs": epochs,
            "lstm_size": lstm_size,
            "lstm_layers": lstm_layers,
            "embed_size": embed_size,
            "batch_size": used_batch,
            "batch_size_requested": batch_size,
            "learning_rate": learning_rate,
            "keep_prob": keep_prob,
            "seq_len": seq_len,
            "split_frac": split_frac,
            "limit": limit,
            "seed": seed,
            "shuffle": shuffle,
            "fresh_state": fresh_state,
        },
        "data": {
            "reviews": len(reviews),
            "zero_length_dropped": len(reviews) - len(kept_ints),
            "vocab_size": len(vocab_to_int),
            "train": len(train_x),
            "val": len(val_x),
            "test": len(test_x),
            "test_scored": scored,
        },
        "history": history,
        "best_epoch": best["epoch"],
        "best_val_acc": best["val_acc"],
        "test_acc": test_acc,
        "seconds_per_epoch": float(np.mean([h["seconds"] for h in history])),
        "seconds_total": time.perf_counter() - started,
        "checkpoint": str(checkpoint),
        "learning_curve": str(curve),
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics
