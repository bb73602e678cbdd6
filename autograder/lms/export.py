"""The gradebook and its results files, read back for an LMS.

- ``canvas``: a gradebook CSV that Canvas imports (Grades > Import): Canvas's own export
  columns ``Student, ID, SIS User ID, SIS Login ID, Section`` and one column for the
  assignment, with Canvas's ``Points Possible`` row second (the manifest's total, which
  ``read_book`` has checked the book was graded under). A row's score is its adjusted
  total (the total after any late penalty, from the student's own due date when extended); a
  group submission gives one row per member.
- ``long_csv``: one row per student and test, from the results files.

A results file names each test ``<question>: <title>`` (Gradescope's ``name``); that is how
its entries are matched with the manifest's tests. Every text cell written is safe
(``gradebook.safe_cell``).
"""

from pathlib import Path

from autograder.errors import UsageError
from autograder.formats.files import write_csv
from autograder.formats.gradebook import read_book, results_file, safe_cell
from autograder.formats.manifest import Assignment
from autograder.formats.results import is_details, read_file, tests_by_name
from autograder.model.row import FINAL_STATUSES, WITH_RESULTS

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
"""Canvas's gradebook columns before the assignments', as its own export writes them."""
CANVAS_POINTS = "    Points Possible"
"""The first cell of the second row of Canvas's export (indented so in Canvas's own files)."""
LONG_COLUMNS = [
    "student",
    "name",
    "sid",
    "question",
    "test",
    "score",
    "max_score",
    "status",
    "visibility",
]


# -- exports ----------------------------------------------------------------------------------


def canvas(
    gradebook: Path, output: Path, assignment: Assignment, assignment_name: str | None = None
) -> tuple[int, list[str]]:
    """Write a Canvas gradebook import of ``gradebook``'s adjusted totals to ``output``.

    Returns the rows written and the students left blank (a grader error: no grade yet).
    """
    book = read_book(gradebook, assignment)
    title = (assignment_name or assignment.title).strip()
    if not title:
        raise UsageError("argument --assignment-name: the Canvas assignment needs a name")
    lines = [
        [*CANVAS_COLUMNS, safe_cell(title)],
        [CANVAS_POINTS, "", "", "", "", f"{assignment.total:g}"],
    ]
    blank = []
    for row in book.rows:
        final = row.status.startswith(FINAL_STATUSES)
        if not final:
            blank.append(row.student)
        score = f"{row.adjusted_total:g}" if final else ""
        names, sids, emails = (_split(cell) for cell in (row.name, row.sid, row.email))
        members = max(len(names), len(sids), len(emails), 1)
        for i in range(members):
            name = _nth(names, i) or (row.student if members == 1 else "")
            sid, email = _nth(sids, i), _nth(emails, i)
            lines.append([safe_cell(name), "", safe_cell(sid), safe_cell(email), "", score])
    write_csv(output, lines)
    return len(lines) - 2, blank


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";")] if cell else []


def _nth(items: list[str], i: int) -> str:
    return items[i] if i < len(items) else ""


def long_csv(gradebook: Path, output: Path, assignment: Assignment) -> int:
    """Write one row per student and test (``LONG_COLUMNS``) from the results files of
    ``gradebook``'s graded rows; returns the rows written."""
    book = read_book(gradebook, assignment)
    names = tests_by_name(assignment)
    lines = [LONG_COLUMNS]
    for row in book.rows:
        path = results_file(gradebook.parent / "results", row.student)
        if row.status not in WITH_RESULTS or not path.is_file():
            continue
        used: dict[str, int] = {}
        for entry in read_file(path).get("tests", []):
            if is_details(entry):
                continue
            name = str(entry.get("name", ""))
            question, _, title = name.partition(": ")
            index = used.get(name, 0)
            used[name] = index + 1
            known = names.get(name, [])
            test = known[index][1].id if index < len(known) else title
            lines.append(
                [
                    safe_cell(row.student),
                    safe_cell(row.name),
                    safe_cell(row.sid),
                    safe_cell(question),
                    safe_cell(test),
                    f"{float(entry.get('score') or 0):g}",
                    f"{float(entry.get('max_score') or 0):g}",
                    safe_cell(str(entry.get("status", ""))),
                    safe_cell(str(entry.get("visibility", ""))),
                ]
            )
    write_csv(output, lines)
    return len(lines) - 1
