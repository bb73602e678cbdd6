"""Reports of a grading run: Gradescope's ``results.json`` and a summary for people; and the
kit's list of the hidden tests (``hidden_summary``)."""

import json
import textwrap
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autograder.files import write_atomic
from autograder.grade import Outcome, Report
from autograder.manifest import DEFAULT_HIDDEN_VISIBILITY, Assignment

VISIBILITY = {
    "public": "visible",
    "hidden": "after_due_date",
    "after_published": "after_published",
    "pass_fail_now": "visible",
}
"""When students see a test's result (``hidden_visibility``) -> Gradescope's visibility of
its entry. ``pass_fail_now`` is a visible entry that says only passed or failed, and, for a
failed test, a second entry of no points with the feedback, shown after the due date
(Gradescope shows a test's entry whole or not at all)."""
PASSED = "passed"
FAILED = "failed; what went wrong is shown after the due date"
"""What a ``pass_fail_now`` test's visible entry says (and the public tests of its clause)."""
DETAILS = " (details)"
"""Added to a ``pass_fail_now`` test's name for its entry of feedback."""


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
    """The report in Gradescope's results format: one entry per test, each shown to students
    when its ``hidden_visibility`` says (``VISIBILITY``)."""
    return {
        "score": round(report.score, 4),
        "execution_time": round(report.seconds, 2),
        "output": "\n".join(notes(report)),
        "tests": [entry for o in report.outcomes for entry in _entries(o)],
    }


def _entries(outcome: Outcome) -> list[dict]:
    shown = getattr(
        outcome.test,
        "shown",
        "public" if outcome.test.visibility == "public" else DEFAULT_HIDDEN_VISIBILITY,
    )
    entry = {
        "name": outcome.name,
        "score": outcome.score,
        "max_score": outcome.test.points,
        "status": "passed" if outcome.passed else "failed",
        "output": outcome.output,
        "visibility": VISIBILITY[shown],
    }
    if shown != "pass_fail_now":
        return [entry]
    if outcome.passed:
        return [{**entry, "output": PASSED}]
    if outcome.grader_error is not None:  # it says only that the grader failed: shown now
        return [entry]
    details = {
        **entry,
        "name": outcome.name + DETAILS,
        "score": 0.0,
        "max_score": 0.0,
        "visibility": VISIBILITY["hidden"],
    }
    public = getattr(outcome.test, "public", ())
    said = FAILED + (
        f". Its clause's public tests: {', '.join(f'test_{t}' for t in public)}" if public else ""
    )
    return [{**entry, "output": said}, details]


def grader_log(report: Report) -> str:
    """The tracebacks of the grader's faults, for the instructor ("" when there are none)."""
    return "".join(f"== {o.name}\n{o.grader_error}\n" for o in report.grader_errors)


def write_json(report: Report, path: Path) -> None:
    write_text(json.dumps(gradescope(report), indent=2), path)


def write_text(text: str, path: Path) -> None:
    """Write ``text`` to ``path``, whole or not at all (``files.write_atomic``)."""
    write_atomic(path, text)


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
                console.print(f"  {failed[0].output}".replace("\n", "\n  "), markup=False)
                continue
            for outcome in failed:
                console.print(f"[red]FAILED[/] {outcome.name}")
                console.print(f"  {outcome.output}".replace("\n", "\n  "), markup=False)
    for note in notes(report):
        console.print(note, style="dim", markup=False)


def scale(report: Report) -> str:
    """The score, and, when only public tests ran, the points still to be graded:
    "12 of the 24 public points; 76 more points are graded by hidden tests after you submit"."""
    if not report.not_run:
        return f"score {report.score:g} / {report.max_score:g}"
    return (
        f"{report.score:g} of the {report.max_score:g} public points; {report.not_run:g} more "
        "points are graded by hidden tests after you submit"
    )


HIDDEN_DATA = "<!-- hidden tests: {} -->"
"""The last line of ``hidden_summary``: what ``tests/local.py`` reads of it, as JSON."""


def hidden_summary(assignment: Assignment) -> str:
    """The kit's list of the hidden tests (Markdown): each one's question, title and points,
    the public tests of its clause, and when its result is shown. Its last line says the same
    as data for ``tests/local.py`` (``HIDDEN_DATA``): the hidden points in all, and for each
    public test the hidden tests of its clause, so the kit's feedback names them as the
    grader's does."""
    hidden = [(q, t) for q in assignment.questions for t in q.tests if t.visibility == "hidden"]
    points = sum(t.points for _, t in hidden)
    public = assignment.total - points
    shown = [getattr(t, "shown", DEFAULT_HIDDEN_VISIBILITY) for _, t in hidden]
    one_way = len(set(shown)) <= 1
    intro = (
        f"The public tests in this folder carry {public:g} points; after you submit, "
        f"{points:g} more points are graded by the hidden tests below. Each hidden test checks "
        "one clause of a docstring, on cases you do not see; the public tests named beside it "
        "check the same clause on a small case, so a public test that fails warns you of the "
        "hidden points at stake."
    )
    if one_way and shown:
        intro += f" A hidden test's result is shown {WHEN[shown[0]]}."
    header = "| question | hidden test | points | public tests of the same clause |"
    rule = "| --- | --- | ---: | --- |"
    if not one_way:
        header += " its result is shown |"
        rule += " --- |"
    rows, mapping = [], {}
    for (question, test), when in zip(hidden, shown, strict=True):
        names = [f"test_{question.module}.py::test_{t}" for t in test.public]
        checks = ", ".join(f"`{name}`" for name in names) or "-"
        title = test.title.replace("|", "\\|")
        row = f"| `{question.id}` | {title} | {test.points:g} | {checks} |"
        rows.append(row if one_way else f"{row} {WHEN[when]} |")
        for name in names:
            mapping.setdefault(name, []).append([test.title, test.points])
    data = json.dumps({"points": points, "public": mapping}, sort_keys=True)
    return "\n".join(
        ["# The hidden tests", "", textwrap.fill(intro, 90), "", header, rule, *rows]
        + ["", HIDDEN_DATA.format(data), ""]
    )


WHEN = {
    "hidden": "after the due date",
    "after_published": "once the grades are published",
    "pass_fail_now": "at once as passed or failed, with its feedback after the due date",
    "public": "at once, with its feedback",
}
"""When a hidden test's result is shown, in the kit's words (``hidden_visibility``)."""


def pass_rate_table(rates: list[tuple[str, int, int]], console: Console) -> None:
    """The class's pass rate per test, as ``batch.pass_rates`` orders it."""
    table = Table(title="pass rate per test, most failed first", title_justify="left")
    for column in ("test", "passed", "rate"):
        table.add_column(column, justify="left" if column == "test" else "right")
    for name, passed, graded in rates:
        table.add_row(name, f"{passed}/{graded}", f"{100 * passed / graded:.0f}%")
    console.print(table)
