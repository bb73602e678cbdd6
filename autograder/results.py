"""Reports of a grading run: Gradescope's ``results.json`` and a summary for people."""

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autograder.grade import Report

VISIBILITY = {"public": "visible", "hidden": "after_due_date"}
"""Rubric visibility -> Gradescope's: hidden tests' results show once the due date passes."""


def notes(report: Report) -> list[str]:
    """The report's notes, led by a warning when the grader failed on some tests."""
    faults = report.grader_errors
    if not faults:
        return report.notes
    warning = (
        f"grader error: {len(faults)} test(s) could not be run because of a fault in the "
        "grader, not in your code; they show 0 points for now. Please tell your instructor, "
        "who can regrade them."
    )
    return [warning, *report.notes]


def gradescope(report: Report) -> dict:
    """The report in Gradescope's results format."""
    return {
        "score": round(report.score, 4),
        "execution_time": round(report.seconds, 2),
        "output": "\n".join(notes(report)),
        "tests": [
            {
                "name": o.name,
                "score": o.score,
                "max_score": o.test.points,
                "status": "passed" if o.passed else "failed",
                "output": o.output,
                "visibility": VISIBILITY[o.test.visibility],
            }
            for o in report.outcomes
        ],
    }


def grader_log(report: Report) -> str:
    """The tracebacks of the grader's faults, for the instructor ("" when there are none)."""
    return "".join(f"== {o.name}\n{o.grader_error}\n" for o in report.grader_errors)


def write_json(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(json.dumps(gradescope(report), indent=2))
    temporary.replace(path)


def summary(report: Report, console: Console, *, details: bool = True) -> None:
    """Print a table of the questions' scores, then each failed test's feedback."""
    table = Table(
        title=f"score {report.score:g} / {report.max_score:g}  ({report.seconds:.1f} s)",
        title_justify="left",
    )
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
                console.print(f"  {failed[0].output}".replace("\n", "\n  "), markup=False)
                continue
            for outcome in failed:
                console.print(f"[red]FAILED[/] {outcome.name}")
                console.print(f"  {outcome.output}".replace("\n", "\n  "), markup=False)
    for note in notes(report):
        console.print(note, style="dim", markup=False)


def pass_rate_table(rates: list[tuple[str, int, int]], console: Console) -> None:
    """The class's pass rate per test, as ``batch.pass_rates`` orders it."""
    table = Table(title="pass rate per test, most failed first", title_justify="left")
    for column in ("test", "passed", "rate"):
        table.add_column(column, justify="left" if column == "test" else "right")
    for name, passed, graded in rates:
        table.add_row(name, f"{passed}/{graded}", f"{100 * passed / graded:.0f}%")
    console.print(table)
