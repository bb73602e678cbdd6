"""The RNN lab's own commands: ``rnnlab lab sine``, ``rnnlab lab sentiment``, ``rnnlab data fetch``.

The manifest names this file (``commands``); the engine's CLI loads it by path and
calls ``register`` with its subparsers. Only argparse is imported here: the lab
runs, numpy and TensorFlow load when a command runs, so the engine's commands
(``rnnlab grade``, and the otter bridge's grading) pay nothing for them.
"""

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

IMPL_HELP = "'reference', 'assignment', or a folder with your filled-in modules"
LAB = Path(__file__).resolve().parents[2]
"""The lab's folder (the repository): its packages ``data`` and ``reference`` import from
there, as the engine installs none of them."""
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))


def _data_errors(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A missing or broken data set is said as ``rnnlab: error: ...`` (exit 2)."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        from data.sentiment import DataError

        try:
            return run(args)
        except DataError as error:
            print(f"rnnlab: error: {error}", file=sys.stderr)
            return 2

    return wrapped


def _data_dir(path: Path | None) -> Path:
    """``path``, or where ``rnnlab data fetch`` puts the data set by default."""
    if path is not None:
        return path
    from data.sentiment import DEFAULT_DIR

    return DEFAULT_DIR


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def lab_sine(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from autograder import impl
    from reference.lab import sine

    config = sine.BETTER if args.better else sine.SHEET
    if args.epochs is not None:
        config = replace(config, nepoch=args.epochs)
    sine.run(impl.load(args.impl, ("rnn",)), args.out, replace(config, seed=args.seed), _console())
    return 0


@_data_errors
def lab_sentiment(args: argparse.Namespace) -> int:
    from autograder import impl
    from data.sentiment import locate
    from reference.lab import sentiment

    data = _data_dir(args.data)
    locate(data)  # a missing data set is said before TensorFlow loads
    modules = impl.load(args.impl, ("vocab", "labels", "padding", "splits", "lstm"))
    sentiment.run(
        modules,
        data,
        args.out,
        epochs=args.epochs,
        lstm_size=args.lstm_size,
        lstm_layers=args.lstm_layers,
        embed_size=args.embed_size,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        keep_prob=args.keep_prob,
        limit=args.limit,
        seed=args.seed,
        shuffle=args.shuffle,
        fresh_state=args.fresh_state,
        console=_console(),
    )
    return 0


@_data_errors
def data_fetch(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from data import sentiment

    console = _console()
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=console
    )
    with progress:
        tasks: dict[str, int] = {}

        def report(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=done)

        paths = sentiment.fetch(_data_dir(args.dest), source=args.source, progress=report)
    for name, path in paths.items():
        console.print(f"{name}: verified, {path}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``lab sine``, ``lab sentiment`` and ``data fetch`` to rnnlab's commands."""
    lab = commands.add_parser("lab", help="run one half of the lab end to end")
    labs = lab.add_subparsers(dest="lab", required=True, metavar="PART")

    sine = labs.add_parser("sine", help="part 1: the numpy RNN on a sine wave")
    sine.add_argument("--impl", default="reference", help=IMPL_HELP)
    sine.add_argument(
        "--better",
        action="store_true",
        help="better hyperparameters than the sheet's (init U(-0.3, 0.3), lr 0.01, 30 epochs)",
    )
    sine.add_argument("--epochs", type=int, help="override the number of epochs")
    sine.add_argument("--seed", type=int, default=0)
    sine.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("runs/sine"),
        help="where to write sine.png and sine.json (default: runs/sine)",
    )
    sine.set_defaults(run=lab_sine)

    sent = labs.add_parser("sentiment", help="part 2: the TensorFlow LSTM on movie reviews")
    sent.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder with reviews.txt and labels.txt (plain or .gz); "
        "default: where `rnnlab data fetch` puts them",
    )
    sent.add_argument("--impl", default="reference", help=IMPL_HELP)
    sent.add_argument("--epochs", type=int, default=10)
    sent.add_argument("--lstm-size", type=int, default=256)
    sent.add_argument("--lstm-layers", type=int, default=1)
    sent.add_argument("--embed-size", type=int, default=300)
    sent.add_argument("--batch-size", type=int, default=500)
    sent.add_argument("--learning-rate", type=float, default=0.001)
    sent.add_argument("--keep-prob", type=float, default=0.5)
    sent.add_argument("--limit", type=int, help="use only the first N reviews (a quick run)")
    sent.add_argument("--seed", type=int, default=0)
    sent.add_argument(
        "--shuffle",
        action="store_true",
        help="shuffle the training reviews every epoch (the sheet does not)",
    )
    sent.add_argument(
        "--fresh-state",
        action="store_true",
        help="start every batch from the zero state (the sheet carries the "
        "state from one batch of reviews into the next)",
    )
    sent.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("runs/sentiment"),
        help="where to write the checkpoint and plots (default: runs/sentiment)",
    )
    sent.set_defaults(run=lab_sentiment)

    data = commands.add_parser("data", help="the movie-review data set")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    fetch = data_commands.add_parser(
        "fetch", help="download reviews.txt and labels.txt and verify their checksums"
    )
    fetch.add_argument(
        "--dest",
        type=Path,
        default=None,
        help="where to put them (default: $RNNLAB_DATA or ~/.cache/rnnlab/sentiment)",
    )
    fetch.add_argument(
        "--from",
        dest="source",
        type=Path,
        help="copy from this folder (plain or .gz files) instead of downloading",
    )
    fetch.set_defaults(run=data_fetch)
