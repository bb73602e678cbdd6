"""The gradebook: its columns, its rows and its CSV file, read and written here only.

A gradebook is a CSV with a header (``columns``: student, who they are, total,
one column per question, when they handed in and what it cost, status) and a
row per student. It is rewritten whole and renamed into place, so a
reader never sees a torn row (``write_gradebook``). Text cells a spreadsheet would read as a formula
get a leading ``'`` (``safe_cell``, OWASP's rule against CSV injection), which
``unsafe_cell`` takes off again. Each student's ``results.json`` lives in
``results/`` beside it (``results_file``), and ``<gradebook>.log`` says when
each student started and finished (``append_log``).
"""

import csv
import os
import time
from pathlib import Path

from autograder.errors import RnnlabError
from autograder.formats import manifest
from autograder.formats.files import append_private, write_csv
from autograder.formats.manifest import Assignment
from autograder.model.row import FINAL_STATUSES, Row

IDENTITY = ["name", "sid", "email"]
"""Who the student is (``roster``): after ``student``."""
LATENESS = ["submitted_at", "submitted_from", "late_hours", "penalty_pct", "adjusted_total"]
"""When they handed in and what it cost (``roster.LatePolicy``): after the questions."""


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


# -- reading --------------------------------------------------------------------------------


def _complete(rows: list[list[str]], width: int) -> list[list[str]]:
    return [row for row in rows if len(row) == width and row[-1]]


def _csv(gradebook: Path) -> list[list[str]]:
    with gradebook.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def read_gradebook(gradebook: Path, assignment: Assignment | None = None) -> dict[str, list[str]]:
    """The complete rows of ``gradebook`` by student id, cells as written (what
    ``write_gradebook`` puts back); none if there is no gradebook yet."""
    if not gradebook.exists():
        return {}
    rows = _complete(_csv(gradebook)[1:], len(columns(assignment)))
    return {unsafe_cell(row[0]): row for row in rows}


def read_rows(gradebook: Path, assignment: Assignment, *, exact: bool = False) -> list[dict]:
    """The gradebook's complete rows, as ``{column: text}`` (``unsafe_cell``'s).

    Raises ``GradebookError`` if a column a report needs is missing, or with ``exact``,
    if the columns are not this assignment's (``columns``).
    """
    if not gradebook.is_file():
        raise FileNotFoundError(f"{gradebook}: no such gradebook")
    rows = _csv(gradebook)
    header = rows[0] if rows else []
    expected = columns(assignment)
    needed = expected if exact else ["student", *IDENTITY, "total", "adjusted_total"]
    missing = [c for c in needed if c not in header]
    extra = [c for c in header if c not in expected] if exact else []
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
    return [
        {column: unsafe_cell(cell) for column, cell in zip(header, row, strict=True)}
        for row in _complete(rows[1:], len(header))
    ]


def already_graded(gradebook: Path, assignment: Assignment | None = None) -> set[str]:
    """Students whose row in ``gradebook`` is final: graded, or timed out (not an error)."""
    rows = read_gradebook(gradebook, assignment)
    return {s for s, row in rows.items() if unsafe_cell(row[-1]).startswith(FINAL_STATUSES)}


def results_file(results_dir: Path, student: str) -> Path:
    """Where ``student``'s results.json goes."""
    return results_dir / f"{student}.json"


def grader_log_file(output: Path) -> Path:
    """The grader-error log beside the results file ``output``."""
    return output.with_suffix(".grader-errors.log")


# -- writing --------------------------------------------------------------------------------


def write_gradebook(gradebook: Path, header: list[str], rows: list[list[str]]) -> None:
    """The whole gradebook, whole or not at all, on disk before it is renamed into place."""
    write_csv(gradebook, [header, *rows], sync=True)


def append_log(path: Path, line: str) -> None:
    """One time-stamped line at the end of the batch log ``path`` (private: it names students)."""
    append_private(path, f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
