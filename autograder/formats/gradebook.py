"""The gradebook: its columns, its rows and its CSV file, read and written here only.

A gradebook is a CSV with a header (``columns``: student, who they are, total,
one column per question, when they handed in and what it cost, status) and a
row per student. It is rewritten whole and renamed into place, so a
reader never sees a torn row (``write_gradebook``). Every report, export and command reads
it through ``read_book`` alone, as ``model.row.Row`` s: one reading of the grades. Beside it,
``<gradebook>.rubric.json`` records the points per test its rows were graded under
(``rubric_of``): a book is never read, nor added to, under other points (``other_rubric``).
Text cells a spreadsheet would read as a formula get a leading ``'`` (``safe_cell``, OWASP's
rule against CSV injection), which ``unsafe_cell`` takes off again. Each student's
``results.json`` lives in ``results/`` beside it (``results_file``), and ``<gradebook>.log``
says when each student started and finished (``append_log``).
"""

import csv
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import RnnlabError
from autograder.formats import manifest
from autograder.formats.files import append_private, write_atomic, write_csv
from autograder.formats.manifest import Assignment
from autograder.model.row import FINAL_STATUSES, Row

IDENTITY = ["name", "sid", "email"]
"""Who the student is (``roster``): after ``student``."""
LATENESS = [
    "submitted_at",
    "submitted_from",
    "extended_due",
    "late_hours",
    "penalty_pct",
    "adjusted_total",
]
"""When they handed in, their own due date if extended, and what lateness cost
(``roster.LatePolicy``): after the questions."""
OPTIONAL = frozenset({"extended_due"})
"""Columns a gradebook written before them lacks: read as empty."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class GradebookError(RnnlabError, ValueError):
    """A file that is not a gradebook of this assignment; the message says why and what to do."""


def columns(assignment: Assignment | None = None) -> list[str]:
    """The gradebook's header: student, who they are, total, one column per question, when
    they handed in and the total after any late penalty, status."""
    assignment = assignment or manifest.current()
    questions = [q.id for q in assignment.questions]
    return ["student", *IDENTITY, "total", *questions, *LATENESS, "status"]


def row_cells(row: Row, assignment: Assignment | None = None) -> list[str]:
    """``row`` as the gradebook's cells, in ``columns``' order (text cells ``safe_cell``)."""
    assignment = assignment or manifest.current()
    late = row.late_hours is not None
    return [
        safe_cell(row.student),
        *(safe_cell(text) for text in (row.name, row.sid, row.email)),
        f"{row.total:g}",
        *(f"{row.scores.get(q.id, 0):g}" for q in assignment.questions),
        safe_cell(row.submitted_at),
        row.submitted_from,
        safe_cell(row.extended_due),
        f"{row.late_hours:.2f}" if late else "",
        f"{row.penalty:g}" if late else "",
        f"{row.adjusted_total:g}",
        safe_cell(row.status),
    ]


def student_id(name: str) -> str:
    """A file or folder name as a student id: bytes that are not UTF-8 become ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it, never as a formula it runs."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_cell(cell: str) -> str:
    """The text of a cell ``safe_cell`` wrote."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


# -- reading: the one reader of the file -----------------------------------------------------


@dataclass(frozen=True)
class Book:
    """A gradebook as every report and command reads it: its rows as ``Row`` s, in order."""

    path: Path
    rows: list[Row]
    written: dict[str, list[str]] = field(default_factory=dict)
    """Each row's cells as they go back into the file untouched (as read, under today's
    columns)."""
    rubric: dict[str, dict[str, float]] | None = None
    """The points per test it was graded under (``rubric_of``); None: not recorded (a book
    written before the record was kept)."""

    def row(self, student: str) -> Row | None:
        return next((r for r in self.rows if r.student == student), None)

    @property
    def students(self) -> list[str]:
        return [r.student for r in self.rows]


def _complete(rows: list[list[str]], width: int) -> list[list[str]]:
    return [row for row in rows if len(row) == width and row[-1]]


def _csv(gradebook: Path) -> list[list[str]]:
    with gradebook.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def read_book(
    gradebook: Path,
    assignment: Assignment | None = None,
    *,
    same_rubric: bool = True,
    missing_ok: bool = False,
) -> Book:
    """``gradebook``'s complete rows (a row cut short by a kill is none), as ``Row`` s.

    Raises ``GradebookError`` (one line, saying what to do) if its columns are not
    ``assignment``'s, a cell is not what its column holds, or, with ``same_rubric``, it was
    graded under other points than the manifest's (``rnnlab regrade`` rescores it).
    ``FileNotFoundError`` if there is none, unless ``missing_ok`` (an empty book).
    """
    assignment = assignment or manifest.current()
    if not gradebook.is_file():
        if missing_ok:
            return Book(gradebook, [])
        raise FileNotFoundError(f"{gradebook}: no such gradebook")
    lines = _csv(gradebook)
    header = lines[0] if lines else []
    _check_columns(gradebook, header, assignment)
    recorded = read_rubric(gradebook)
    if same_rubric and recorded is not None and recorded != rubric_of(assignment):
        raise GradebookError(other_rubric(gradebook, recorded, assignment))
    current = header == columns(assignment)
    rows, written = [], {}
    for number, cells in enumerate(lines[1:], start=2):
        if len(cells) != len(header) or not cells[-1]:
            continue  # cut short by a kill, or blank
        row = _row(dict(zip(header, cells, strict=True)), assignment, f"{gradebook}: line {number}")
        rows.append(row)
        written[row.student] = list(cells) if current else row_cells(row, assignment)
    return Book(gradebook, rows, written, recorded)


def _check_columns(gradebook: Path, header: list[str], assignment: Assignment) -> None:
    expected = columns(assignment)
    missing = [c for c in expected if c not in header and c not in OPTIONAL]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        said = "; ".join(
            part
            for part in (
                f"no column {', '.join(missing)}" if missing else "",
                f"columns {', '.join(extra)} are not {assignment.name}'s" if extra else "",
            )
            if part
        )
        raise GradebookError(
            f"{gradebook}: not a gradebook of {assignment.name} as rnnlab grade-all writes it "
            f"({said}); grade the class again with rnnlab grade-all"
        )


def _row(cell: dict[str, str], assignment: Assignment, where: str) -> Row:
    """One line of the file as a ``Row``; its adjusted total must be what its total and
    penalty make (it is derived, never a grade of its own)."""

    def number(column: str, blank: float | None = None) -> float | None:
        """The cell as a number; an empty one is ``blank`` where that may be empty."""
        text = cell.get(column, "")
        if text == "" and (blank is not None or column == "late_hours"):
            return blank
        try:
            return float(text)
        except ValueError:
            raise GradebookError(f"{where}: {column} {text!r} is not a number") from None

    row = Row(
        unsafe_cell(cell["student"]),
        number("total"),
        {q.id: number(q.id, 0.0) for q in assignment.questions},
        unsafe_cell(cell["status"]),
        name=unsafe_cell(cell["name"]),
        sid=unsafe_cell(cell["sid"]),
        email=unsafe_cell(cell["email"]),
        submitted_at=unsafe_cell(cell["submitted_at"]),
        submitted_from=cell["submitted_from"],
        extended_due=unsafe_cell(cell.get("extended_due", "")),
        late_hours=number("late_hours"),
        penalty=number("penalty_pct", 0.0),
    )
    adjusted = number("adjusted_total", row.adjusted_total)
    if abs(adjusted - row.adjusted_total) > 1e-6:
        raise GradebookError(
            f"{where}: adjusted_total {adjusted:g} is not the total {row.total:g} less "
            f"{row.penalty:g}%: change total or penalty_pct, not the adjusted total"
        )
    return row


def already_graded(gradebook: Path, assignment: Assignment | None = None) -> set[str]:
    """Students whose row in ``gradebook`` is final: graded, or timed out (not an error)."""
    book = read_book(gradebook, assignment, missing_ok=True)
    return {r.student for r in book.rows if r.status.startswith(FINAL_STATUSES)}


# -- the rubric it was graded under -----------------------------------------------------------


def rubric_file(gradebook: Path) -> Path:
    """Where the points a gradebook was graded under are kept, beside it."""
    return gradebook.with_name(gradebook.name + ".rubric.json")


def rubric_of(assignment: Assignment) -> dict[str, dict[str, float]]:
    """The manifest's points: question -> test id -> points."""
    return {q.id: {t.id: float(t.points) for t in q.tests} for q in assignment.questions}


def read_rubric(gradebook: Path) -> dict[str, dict[str, float]] | None:
    path = rubric_file(gradebook)
    if not path.is_file():
        return None
    try:
        points = json.loads(path.read_text(encoding="utf-8"))["points"]
        return {q: {t: float(p) for t, p in tests.items()} for q, tests in points.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise GradebookError(
            f"{path}: not the record of a gradebook's rubric ({error}); rescore the gradebook "
            f"under the manifest's points with rnnlab regrade {gradebook}"
        ) from None


def other_rubric(
    gradebook: Path, recorded: dict[str, dict[str, float]], assignment: Assignment
) -> str:
    """One line: how the points ``gradebook`` was graded under differ from the manifest's,
    and what to do."""
    now = rubric_of(assignment)
    changes = []
    for question in dict.fromkeys([*recorded, *now]):
        before, after = recorded.get(question, {}), now.get(question, {})
        for test in dict.fromkeys([*before, *after]):
            old, new = before.get(test), after.get(test)
            if old != new:
                said = "new" if old is None else "gone" if new is None else f"{old:g} -> {new:g}"
                changes.append(f"{question}/{test} {said}")
    total = sum(p for q in recorded.values() for p in q.values())
    shown = ", ".join(changes[:3]) + (f" and {len(changes) - 3} more" if len(changes) > 3 else "")
    return (
        f"{gradebook} was graded out of {total:g} points, the manifest now gives "
        f"{assignment.total:g} ({shown}): rescore it first with rnnlab regrade {gradebook}, "
        "which rescores every row from its results, so that no book mixes two scales"
    )


def results_file(results_dir: Path, student: str) -> Path:
    """Where ``student``'s results.json goes."""
    return results_dir / f"{student}.json"


def grader_log_file(output: Path) -> Path:
    """The grader-error log beside the results file ``output``."""
    return output.with_suffix(".grader-errors.log")


# -- writing --------------------------------------------------------------------------------


def write_gradebook(gradebook: Path, assignment: Assignment, rows: list[list[str]]) -> None:
    """The whole gradebook (``columns``, then ``rows``), whole or not at all, on disk before
    it is renamed into place, and the rubric its rows were graded under beside it."""
    record = json.dumps({"assignment": assignment.name, "points": rubric_of(assignment)}, indent=1)
    path = rubric_file(gradebook)
    if not path.is_file() or path.read_text(encoding="utf-8") != record:
        write_atomic(path, record)
    write_csv(gradebook, [columns(assignment), *rows], sync=True)


def append_log(path: Path, line: str) -> None:
    """One time-stamped line at the end of the batch log ``path`` (private: it names students)."""
    append_private(path, f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
