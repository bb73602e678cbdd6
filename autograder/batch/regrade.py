"""A class graded again without running what need not run.

- ``grade_questions``: ``grade-all -q``: some questions graded again, merged into each
  student's results.
- ``regrade``: after points move between tests in the manifest, every results file is
  rescored (a test's new points times its pass or fail) and the gradebook rewritten; no
  submission code runs.

A results file names each test ``<question>: <title>`` (Gradescope's ``name``); that is how
its entries are matched with the manifest's tests (``formats.results.match``).
"""

import json
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.formats.classroom import Entry
from autograder.formats.files import write_atomic
from autograder.formats.gradebook import (
    append_log,
    read_book,
    results_file,
    row_cells,
    write_gradebook,
)
from autograder.formats.manifest import Assignment
from autograder.formats.results import match, question_of, question_scores, read_file
from autograder.model.row import WITH_RESULTS, Row, Status


def _write_json(data: dict, path: Path) -> None:
    write_atomic(path, json.dumps(data, indent=2))


# -- grade-all -q: some questions again -----------------------------------------------------


def merge(old: dict, new: dict, regraded: set[str], assignment: Assignment) -> dict:
    """``old`` results with the tests of the ``regraded`` questions replaced by ``new``'s, in
    the manifest's order; the score is recomputed."""
    by_question: dict[str, list] = {}
    for entry in old.get("tests", []):
        if question_of(entry) not in regraded:
            by_question.setdefault(question_of(entry), []).append(entry)
    for entry in new.get("tests", []):
        by_question.setdefault(question_of(entry), []).append(entry)
    tests = [e for q in assignment.questions for e in by_question.get(q.id, [])]
    return {
        **old,
        **{k: v for k, v in new.items() if k not in ("tests", "score")},
        "score": round(sum(float(e.get("score") or 0) for e in tests), 4),
        "tests": tests,
    }


def _merge_log(old: str, new: str, regraded: set[str]) -> str:
    """The grader-error log: the old sections of questions not regraded, then the new ones."""
    sections, current = [], None
    for line in old.splitlines(keepends=True):
        if line.startswith("== "):
            current = [line]
            sections.append(current)
        elif current is not None:
            current.append(line)
    kept = ["".join(s) for s in sections if s[0][3:].split(": ", 1)[0].strip() not in regraded]
    return "".join(kept) + new


def grade_questions(entry: Entry, output: Path, assignment: Assignment) -> Row:
    """Grade ``entry.questions`` of one submission again, merged into its results at
    ``output``; its row from the merged results. (In a grader process, as ``grade_one``.)"""
    from autograder.formats import results
    from autograder.grading.grade import grade

    regraded = set(entry.questions)
    log = output.with_suffix(".grader-errors.log")
    try:
        old = read_file(output)
        chosen = [assignment.question(q) for q in entry.questions]
        report = grade(
            entry.path, assignment=assignment, questions=chosen, hidden_paths=[output.parent]
        )
        data = merge(old, results.gradescope(report), regraded, assignment)
        _write_json(data, output)
        merged = _merge_log(
            log.read_text() if log.is_file() else "", results.grader_log(report), regraded
        )
    except Exception as error:  # noqa: BLE001 - the grader's own failure: a row that says so
        why = f"{type(error).__name__}: {error}"
        return Row(entry.student, 0, {}, Status.GRADER_ERROR.because(why))
    if merged:
        write_atomic(log, merged)
    else:
        log.unlink(missing_ok=True)
    return Row(
        entry.student,
        float(data["score"]),
        question_scores(data),
        Status.GRADER_ERROR if merged else Status.GRADED,
    )


# -- rnnlab regrade: a new rubric, the same verdicts ------------------------------------------


def rescore(data: dict, assignment: Assignment, where: Path) -> dict:
    """``data`` (a results file) under the manifest's points: each test's points times its
    pass (1) or fail (0)."""
    tests = []
    for entry, found in match(data, assignment, where):
        if found is None:
            tests.append(entry)
            continue
        _, test = found
        passed = entry.get("status") == "passed"
        tests.append({**entry, "score": test.points if passed else 0.0, "max_score": test.points})
    return {**data, "score": round(sum(float(e["score"] or 0) for e in tests), 4), "tests": tests}


@dataclass(frozen=True)
class Change:
    student: str
    before: float
    after: float
    """Adjusted totals (after any late penalty)."""


def regrade(gradebook: Path, assignment: Assignment, policy=None) -> list[Change]:
    """Rescore every graded row of ``gradebook`` from its results file under the manifest's
    points, and, with ``policy`` (a ``roster.LatePolicy``), its lateness again (from each
    student's own due date when extended); rewrite the results files, the gradebook and the
    rubric it records. Everything is checked before anything is written. Returns each
    rescored row's adjusted total before and after."""
    from autograder.lms import roster

    book = read_book(gradebook, assignment, same_rubric=False)
    if policy is None:
        policy = roster.remembered(gradebook)
    rescored: dict[str, dict] = {}
    for row in book.rows:
        path = results_file(gradebook.parent / "results", row.student)
        if row.status in WITH_RESULTS and path.is_file():
            rescored[row.student] = rescore(read_file(path), assignment, path)
    cells, changes = [], []
    for row in book.rows:
        data = rescored.get(row.student)
        updated = row
        if data is not None:
            updated = replace(row, total=float(data["score"]), scores=question_scores(data))
        if policy is not None and row.submitted_at:
            due = roster.parse_time(row.extended_due) if row.extended_due else None
            hours, penalty, cut = policy.assess(roster.parse_time(row.submitted_at), due)
            status = roster.late_status(updated.status, cut)
            updated = replace(updated, late_hours=hours, penalty=penalty, status=status)
        if data is not None or policy is not None:
            changes.append(Change(row.student, row.adjusted_total, updated.adjusted_total))
        cells.append(row_cells(updated, assignment))
    for student, data in rescored.items():
        _write_json(data, results_file(gradebook.parent / "results", student))
    write_gradebook(gradebook, assignment, cells)
    roster.remember(gradebook, policy)
    append_log(
        gradebook.with_name(gradebook.name + ".log"),
        f"regrade: {len(rescored)} rows rescored from their results under the manifest's points"
        + (f"; {policy.describe()}" if policy else ""),
    )
    return changes
