"""What the commands share: the current assignment, paths as shown, the console and progress."""

import argparse
from pathlib import Path

GRADER_ERROR_EXIT = 3
"""``rnnlab grade`` and ``check``: some test hit a fault of the grader's (logged), not a verdict."""
ASSIGNMENT_ENV = "RNNLAB_ASSIGNMENT"
"""The variable naming the current assignment (``manifest.current``); ``--assignment`` sets it."""


def current_assignment():
    from autograder.formats import manifest

    return manifest.current()


def shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, else as it is."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def progress_bar(console, label: str, total: int | None):
    """A bar of ``total`` items (None: not known yet) for ``console``, and its task:
    ``progress.advance(task)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    progress = Progress(
        label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    return progress, progress.add_task("", total=total)


def make_console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def share(text: str) -> float:
    """An argparse ``type``: a share from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1")
    return value
