"""A class's figures: score distributions as PNG histograms, and the pass rate of every test
(matplotlib, imported only here: the ``reports`` extra)."""

import io
import math
import statistics
from pathlib import Path

from autograder.errors import UsageError
from autograder.formats.files import write_atomic
from autograder.formats.manifest import Assignment
from autograder.reports.class_results import Summary

INSTALL = "pip install 'rnnlab[reports]'"


def _figure(**options):
    """A new matplotlib figure; ``UsageError`` naming the extra to install without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            f"the figures are drawn with matplotlib, not installed here: {INSTALL}"
        ) from None
    return Figure(**options)


def _figure_png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _histogram(ax, scores: list[float], most: float, title: str) -> None:
    """Students per score, from 0 to ``most`` points."""
    if most <= 40 and float(most).is_integer():
        bins = [x - 0.5 for x in range(int(most) + 2)]
    else:
        bins = [most * i / 20 for i in range(21)]
    ax.hist(scores, bins=bins, color="tab:blue", edgecolor="white")
    if scores:
        mean = statistics.mean(scores)
        ax.axvline(mean, color="tab:red", linestyle="--", linewidth=1)
        title += f"\nout of {most:g}; mean {mean:.1f} (dashed)"
    else:
        title += f"\nout of {most:g}"
    ax.set_xlim(bins[0], bins[-1])
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("points", fontsize=8)
    ax.set_ylabel("students", fontsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(labelsize=8)


def panels(summary: Summary, assignment: Assignment) -> list[tuple[str, list[float], float]]:
    """(title, scores, most points) for the grade (the total after any late penalty, as the
    exports send it) and each question."""
    late = any(s.row.late for s in summary.graded)
    title = "total after lateness" if late else "total"
    found = [(title, [s.adjusted for s in summary.graded], assignment.total)]
    for q in assignment.questions:
        found.append((q.id, [s.scores.get(q.id, 0.0) for s in summary.graded], q.points))
    return found


def histogram_png(title: str, scores: list[float], most: float) -> bytes:
    fig = _figure(figsize=(3.6, 2.6), layout="constrained")
    _histogram(fig.subplots(), scores, most, title)
    return _figure_png(fig)


def class_figure_png(summary: Summary, assignment: Assignment) -> bytes:
    """Every histogram in one figure (``class.png``)."""
    shown = panels(summary, assignment)
    cols = min(4, len(shown))
    rows = math.ceil(len(shown) / cols)
    fig = _figure(figsize=(3.3 * cols, 2.6 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).flatten()
    for ax, (title, scores, most) in zip(axes, shown, strict=False):
        _histogram(ax, scores, most, title)
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    fig.suptitle(f"{assignment.title}: {len(summary.graded)} students graded", fontsize=12)
    return _figure_png(fig)


def plot_pass_rates(rates: list[tuple[str, int, int]], path: Path) -> None:
    """A horizontal bar chart of the pass rate of every test, the most failed at the top."""
    height = max(3.0, 0.22 * len(rates) + 1)
    fig = _figure(figsize=(10, height), layout="constrained")
    ax = fig.subplots()
    names = [name for name, _, _ in rates][::-1]
    values = [100 * p / g for _, p, g in rates][::-1]
    colors = ["tab:red" if v < 50 else "tab:orange" if v < 80 else "tab:green" for v in values]
    ax.barh(names, values, color=colors)
    ax.set(
        xlim=(0, 100),
        xlabel="students passing (%)",
        title=f"pass rate per test ({rates[0][2] if rates else 0} submissions)",
    )
    ax.tick_params(axis="y", labelsize=7)
    write_atomic(path, _figure_png(fig))
