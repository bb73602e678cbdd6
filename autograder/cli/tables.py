"""What a command prints for people: a grading report's table and feedback, a class's pass
rates."""

import re

from rich.console import Console
from rich.table import Table

from autograder.formats.results import notes
from autograder.model.outcome import Report
from autograder.model.rubric import public_scale

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def shown_safely(text: str) -> str:
    """A submission's text as it may reach a terminal: control characters (escape sequences
    that clear the screen, retitle the window, or redraw a line) and invisible or
    direction-changing format characters written out as ``\\x1b``, ``\\u202e``."""
    return _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)


def summary(report: Report, console: Console, *, details: bool = True) -> None:
    """Print a table of the questions' scores, then each failed test's feedback."""
    table = Table(title=f"{scale(report)}  ({report.seconds:.1f} s)", title_justify="left")
    table.add_column("question")
    table.add_column("score", justify="right")
    table.add_column("tests passed", justify="right")
    for question, outcomes in report.by_question().items():
        score = sum(o.score for o in outcomes)
        total = sum(o.test.points for o in outcomes)
        passed = sum(o.passed for o in outcomes)
        style = "green" if score == total else ("red" if score == 0 else "yellow")
        table.add_row(question, f"[{style}]{score:g} / {total:g}[/]", f"{passed} / {len(outcomes)}")
    console.print(table)
    if details:
        for question, outcomes in report.by_question().items():
            failed = [o for o in outcomes if not o.passed]
            if len(failed) > 1 and len({o.output for o in failed}) == 1:  # one cause for all
                console.print(f"[red]FAILED[/] {question}: all {len(failed)} tests")
                said = shown_safely(failed[0].output)
                console.print(f"  {said}".replace("\n", "\n  "), markup=False)
                continue
            for outcome in failed:
                console.print(f"[red]FAILED[/] {shown_safely(outcome.name)}")
                said = shown_safely(outcome.output)
                console.print(f"  {said}".replace("\n", "\n  "), markup=False)
    for note in notes(report):
        console.print(shown_safely(note), style="dim", markup=False)


def scale(report: Report) -> str:
    """The score, and, when only public tests ran, the points still to be graded:
    "12 of the 24 public points; 76 more points are graded by hidden tests after you submit"."""
    if not report.not_run:
        return f"score {report.score:g} / {report.max_score:g}"
    return public_scale(report.score, report.max_score, report.not_run)


def pass_rate_table(rates: list[tuple[str, int, int]], console: Console, graded: int) -> None:
    """The class's pass rate per test over its ``graded`` rows, as
    ``reports.class_results.pass_rates`` orders it."""
    table = Table(
        title=f"pass rate per test over the gradebook's {graded} graded rows, most failed first",
        title_justify="left",
    )
    for column in ("test", "passed", "rate"):
        table.add_column(column, justify="left" if column == "test" else "right")
    for name, passed, graded in rates:
        table.add_row(name, f"{passed}/{graded}", f"{100 * passed / graded:.0f}%")
    console.print(table)
