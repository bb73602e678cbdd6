"""The gradebook and its results files, read back: for an LMS, and for a new rubric.

- ``canvas``: a gradebook CSV that Canvas imports (Grades > Import): Canvas's own export
  columns ``Student, ID, SIS User ID, SIS Login ID, Section`` and one column for the
  assignment, with Canvas's ``Points Possible`` row second. A row's score is its adjusted
  total (the total after any late penalty); a group submission gives one row per member.
- ``long_csv``: one row per student and test, from the results files.
- ``regrade``: after points move between tests in the manifest, every results file is
  rescored (a test's new points times its pass or fail) and the gradebook rewritten; no
  submission code runs.
- ``grade_questions``: ``grade-all -q``: some questions graded again, merged into the
  student's results.

A results file names each test ``<question>: <title>`` (Gradescope's ``name``); that is how
its entries are matched with the manifest's tests. Every text cell written is safe
(``gradebook.safe_cell``).
"""

import json
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.classroom import BatchError, Entry
from autograder.files import write_atomic, write_csv
from autograder.gradebook import (
    FINAL_STATUSES,
    WITH_RESULTS,
    Row,
    Status,
    append_log,
    columns,
    read_rows,
    safe_cell,
    write_gradebook,
)
from autograder.manifest import Assignment

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


# -- reading ---------------------------------------------------------------------------------


def _results(gradebook: Path, student: str) -> Path:
    return gradebook.parent / "results" / f"{student}.json"


def _question_of(entry: dict) -> str:
    return str(entry.get("name", "")).split(": ", 1)[0]


def _details(entry: dict) -> bool:
    from autograder.results import DETAILS

    return str(entry.get("name", "")).endswith(DETAILS) and not entry.get("max_score")


def _tests(assignment: Assignment) -> dict[str, list]:
    """Each test's name in a results file -> its (question, test), in order."""
    names: dict[str, list] = {}
    for question in assignment.questions:
        for test in question.tests:
            names.setdefault(f"{question.id}: {test.title}", []).append((question, test))
    return names


def _matched(data: dict, assignment: Assignment, where: Path) -> list[tuple[dict, object]]:
    """Each entry of a results file with its ``(question, test)`` (None for an entry of
    feedback only); raises if an entry is no test of the manifest, or a test has no entry."""
    names = _tests(assignment)
    used: dict[str, int] = {}
    matched = []
    for entry in data.get("tests", []):
        if _details(entry):
            matched.append((entry, None))
            continue
        name = str(entry.get("name", ""))
        index = used.get(name, 0)
        if index >= len(names.get(name, [])):
            raise BatchError(
                f"{where}: the test {name!r} is not in the manifest: a test was renamed or "
                "removed, so its points cannot be carried over; grade the class again "
                "(rnnlab grade-all -q QUESTION for the questions that changed)"
            )
        used[name] = index + 1
        matched.append((entry, names[name][index]))
    unseen = [name for name, tests in names.items() if used.get(name, 0) < len(tests)]
    if unseen:
        raise BatchError(
            f"{where}: no result for the test {unseen[0]!r}: it is new in the manifest and has "
            "never run; grade it (rnnlab grade-all -q QUESTION)"
        )
    return matched


def question_scores(data: dict) -> dict[str, float]:
    scores: dict[str, float] = {}
    for entry in data.get("tests", []):
        question = _question_of(entry)
        scores[question] = scores.get(question, 0.0) + float(entry.get("score") or 0)
    return scores


def _write_json(data: dict, path: Path) -> None:
    write_atomic(path, json.dumps(data, indent=2), mode=0o600)


# -- grade-all -q: some questions again -----------------------------------------------------


def merge(old: dict, new: dict, regraded: set[str], assignment: Assignment) -> dict:
    """``old`` results with the tests of the ``regraded`` questions replaced by ``new``'s, in
    the manifest's order; the score is recomputed."""
    by_question: dict[str, list] = {}
    for entry in old.get("tests", []):
        if _question_of(entry) not in regraded:
            by_question.setdefault(_question_of(entry), []).append(entry)
    for entry in new.get("tests", []):
        by_question.setdefault(_question_of(entry), []).append(entry)
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
    from autograder import results
    from autograder.grade import grade

    regraded = set(entry.questions)
    log = output.with_suffix(".grader-errors.log")
    try:
        old = json.loads(output.read_text(encoding="utf-8"))
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
        log.write_text(merged)
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
    for entry, found in _matched(data, assignment, where):
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
    points, and, with ``policy`` (a ``roster.LatePolicy``), its lateness again; rewrite
    the results files and the gradebook. Everything is checked before anything is written.
    Returns each rescored row's adjusted total before and after."""
    from autograder import roster

    rows = read_rows(gradebook, assignment, exact=True)
    if policy is None:
        policy = roster.remembered(gradebook)
    rescored: dict[str, dict] = {}
    for row in rows:
        path = _results(gradebook, row["student"])
        if row["status"] in WITH_RESULTS and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                raise BatchError(f"{path}: not a results file: {error}") from None
            rescored[row["student"]] = rescore(data, assignment, path)
    cells, changes = [], []
    for row in rows:
        student = row["student"]
        data = rescored.get(student)
        late = row["late_hours"]
        updated = Row(
            student,
            float(data["score"]) if data else float(row["total"]),
            question_scores(data)
            if data
            else {q.id: float(row[q.id]) for q in assignment.questions},
            row["status"],
            name=row["name"],
            sid=row["sid"],
            email=row["email"],
            submitted_at=row["submitted_at"],
            submitted_from=row["submitted_from"],
            late_hours=float(late) if late else None,
            penalty=float(row["penalty_pct"] or 0),
        )
        if policy is not None and row["submitted_at"]:
            hours, penalty, cut = policy.assess(roster.parse_time(row["submitted_at"]))
            status = roster.late_status(updated.status, cut)
            updated = replace(updated, late_hours=hours, penalty=penalty, status=status)
        if data is not None or policy is not None:
            before = float(row["adjusted_total"] or 0)
            changes.append(Change(student, before, updated.adjusted_total))
        cells.append(updated.as_csv(assignment))
    for student, data in rescored.items():
        _write_json(data, _results(gradebook, student))
    write_gradebook(gradebook, columns(assignment), cells)
    roster.remember(gradebook, policy)
    append_log(
        gradebook.with_name(gradebook.name + ".log"),
        f"regrade: {len(rescored)} rows rescored from their results under the manifest's points"
        + (f"; {policy.describe()}" if policy else ""),
    )
    return changes


# -- exports ----------------------------------------------------------------------------------


def canvas(
    gradebook: Path, output: Path, assignment: Assignment, assignment_name: str | None = None
) -> tuple[int, list[str]]:
    """Write a Canvas gradebook import of ``gradebook``'s adjusted totals to ``output``.

    Returns the rows written and the students left blank (a grader error: no grade yet).
    """
    rows = read_rows(gradebook, assignment)
    title = (assignment_name or assignment.title).strip()
    if not title:
        raise BatchError("argument --assignment-name: the Canvas assignment needs a name")
    lines = [
        [*CANVAS_COLUMNS, safe_cell(title)],
        [CANVAS_POINTS, "", "", "", "", f"{assignment.total:g}"],
    ]
    blank = []
    for row in rows:
        final = row["status"].startswith(FINAL_STATUSES)
        if not final:
            blank.append(row["student"])
        score = row["adjusted_total"] if final else ""
        names, sids, emails = (_split(row[c]) for c in ("name", "sid", "email"))
        members = max(len(names), len(sids), len(emails), 1)
        for i in range(members):
            name = _nth(names, i) or (row["student"] if members == 1 else "")
            sid, email = _nth(sids, i), _nth(emails, i)
            lines.append([safe_cell(name), "", safe_cell(sid), safe_cell(email), "", score])
    _write_csv(output, lines)
    return len(lines) - 2, blank


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";")] if cell else []


def _nth(items: list[str], i: int) -> str:
    return items[i] if i < len(items) else ""


def long_csv(gradebook: Path, output: Path, assignment: Assignment) -> int:
    """Write one row per student and test (``LONG_COLUMNS``) from the results files of
    ``gradebook``'s graded rows; returns the rows written."""
    rows = read_rows(gradebook, assignment)
    names = _tests(assignment)
    lines = [LONG_COLUMNS]
    for row in rows:
        path = _results(gradebook, row["student"])
        if row["status"] not in WITH_RESULTS or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise BatchError(f"{path}: not a results file: {error}") from None
        used: dict[str, int] = {}
        for entry in data.get("tests", []):
            if _details(entry):
                continue
            name = str(entry.get("name", ""))
            question, _, title = name.partition(": ")
            index = used.get(name, 0)
            used[name] = index + 1
            known = names.get(name, [])
            test = known[index][1].id if index < len(known) else title
            lines.append(
                [
                    safe_cell(row["student"]),
                    safe_cell(row["name"]),
                    safe_cell(row["sid"]),
                    safe_cell(question),
                    safe_cell(test),
                    f"{float(entry.get('score') or 0):g}",
                    f"{float(entry.get('max_score') or 0):g}",
                    safe_cell(str(entry.get("status", ""))),
                    safe_cell(str(entry.get("visibility", ""))),
                ]
            )
    _write_csv(output, lines)
    return len(lines) - 1


def _write_csv(output: Path, lines: list[list[str]]) -> None:
    write_csv(output, lines, mode=0o600)
