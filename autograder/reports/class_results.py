"""A graded class as data: each student's row and test results, and what the class page sums up
(pass rates, the named mistakes, the modules that did not import)."""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from autograder.formats import manifest
from autograder.formats.gradebook import read_rows
from autograder.formats.manifest import Assignment
from autograder.formats.results import DETAILS, is_details, split_printed
from autograder.model.row import Status

MISTAKE = re.compile(r"This is what (.+?) gives(?=$|[\s.,;:)])", re.MULTILINE)
"""A known mistake that ``authoring.expect`` named in its feedback."""


IMPORT_FAILURES = ("fails to import", "is missing from the submission", "could not be read")
"""Feedback that zeroes a question because the module could not be had."""


@dataclass
class TestResult:
    """One test of one student, as their ``results.json`` has it (feedback entries merged)."""

    name: str
    question: str
    score: float
    max_score: float
    passed: bool
    feedback: str
    printed: str
    visibility: str


@dataclass
class Student:
    """A gradebook row and, when it was graded, its results."""

    id: str
    total: float
    scores: dict[str, float]
    status: str
    tests: list[TestResult] = field(default_factory=list)
    notes: str = ""
    results: bool = False
    """Whether the results were read (a graded row, or one with grader errors)."""
    late: str = ""
    """What handing in late cost, in words ("" if it cost nothing)."""

    @property
    def graded(self) -> bool:
        return self.status == Status.GRADED


def question_of(name: str, assignment: Assignment) -> str:
    """The question id a test's name (``"<question>: <title>"``) starts with ("" if none)."""
    head, sep, _ = name.partition(": ")
    return head if sep and head in {q.id for q in assignment.questions} else ""


def read_results(path: Path, assignment: Assignment) -> tuple[list[TestResult], str]:
    """A ``results.json``'s tests, each failed ``pass_fail_now`` test with its feedback
    entry's text (entries ending ``(details)``), and its ``output`` (the notes)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("tests", [])
    details = {t["name"][: -len(DETAILS)]: t for t in entries if is_details(t)}
    tests = []
    for t in entries:
        name = t.get("name", "")
        if is_details(t):
            continue
        shown = details.get(name, t)  # the feedback entry's text and when it is shown
        feedback, printed = split_printed(shown.get("output") or "")
        tests.append(
            TestResult(
                name=name,
                question=question_of(name, assignment),
                score=float(t.get("score") or 0),
                max_score=float(t.get("max_score") or 0),
                passed=t.get("status") == "passed",
                feedback=feedback,
                printed=printed,
                visibility=shown.get("visibility", "visible"),
            )
        )
    return tests, str(data.get("output", ""))


def load_class(gradebook: Path, assignment: Assignment | None = None) -> list[Student]:
    """Every row of ``gradebook``, with the results of those that have them."""
    assignment = assignment or manifest.current()
    if not gradebook.is_file():
        raise FileNotFoundError(f"{gradebook}: no such gradebook")
    results_dir = gradebook.parent / "results"
    students = []
    for cell in read_rows(gradebook, assignment, exact=True):
        student, status = cell["student"], cell["status"]
        scores = {q.id: _number(cell.get(q.id, "")) for q in assignment.questions}
        row = Student(student, _number(cell.get("total", "")), scores, status)
        if cell.get("penalty_pct"):
            row.late = (
                f"handed in {_number(cell.get('late_hours', '')):g} hours late: "
                f"{cell['penalty_pct']}% off, {_number(cell.get('adjusted_total', '')):g} "
                "after the penalty"
            )
        path = results_dir / f"{student}.json"
        # a timed-out row has no results of this run (a file there is an older run's)
        if status in (Status.GRADED, Status.GRADER_ERROR) and safe_name(student) and path.is_file():
            row.tests, row.notes = read_results(path, assignment)
            row.results = True
        students.append(row)
    return students


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return 0.0


def safe_name(student: str) -> bool:
    """Whether ``student`` can be a file name in a folder as it is."""
    return bool(student) and "/" not in student and "\0" not in student and student[0] != "."


@dataclass
class Summary:
    """What the class page shows, as data."""

    graded: list[Student]
    not_graded: list[Student]
    rates: list[tuple[str, int, int]]
    """(test name, passed, graded), the most failed first."""
    mistakes: list[tuple[str, str, list[str]]]
    """(question, mistake, students who made it), the most made first."""
    import_failures: list[tuple[str, str, str]]
    """(student, question, why) for each question scored 0 because its module could not be had."""


def summarize(students: list[Student], assignment: Assignment) -> Summary:
    graded = [s for s in students if s.graded and s.results]
    counts: dict[str, list[int]] = {}
    made: dict[tuple[str, str], set[str]] = defaultdict(set)
    failures = []
    for student in graded:
        for test in student.tests:
            passed, seen = counts.setdefault(test.name, [0, 0])
            counts[test.name] = [passed + test.passed, seen + 1]
            for name in MISTAKE.findall(test.feedback):
                made[(test.question, name)].add(student.id)
        for question in assignment.questions:
            if student.scores.get(question.id, 0) > 0:
                continue
            why = next(
                (
                    t.feedback
                    for t in student.tests
                    if t.question == question.id and any(m in t.feedback for m in IMPORT_FAILURES)
                ),
                None,
            )
            if why is not None:
                first = why.strip().splitlines()[0] if why.strip() else why
                failures.append((student.id, question.id, first[:500]))
    rates = sorted(
        ((name, p, g) for name, (p, g) in counts.items()),
        key=lambda item: (item[1] / item[2], item[0]),
    )
    order = {q.id: i for i, q in enumerate(assignment.questions)}
    mistakes = sorted(
        ((q, name, sorted(who)) for (q, name), who in made.items()),
        key=lambda item: (-len(item[2]), order.get(item[0], len(order)), item[1]),
    )
    not_graded = [s for s in students if s not in graded]
    return Summary(graded, not_graded, rates, mistakes, failures)


def pass_rates(results_dir: Path, students: list[str] | None = None) -> list[tuple[str, int, int]]:
    """``(test name, passed, graded)`` for every test, the most failed first: from the
    results of ``students`` (default: every results file in ``results_dir``)."""
    counts: dict[str, list[int]] = {}
    paths = (
        sorted(results_dir.glob("*.json"))
        if students is None
        else [results_dir / f"{s}.json" for s in students if (results_dir / f"{s}.json").exists()]
    )
    for path in paths:
        for test in json.loads(path.read_text(encoding="utf-8"))["tests"]:
            if is_details(test):
                continue  # a failed pass_fail_now test's feedback entry, not a test of its own
            passed, graded = counts.setdefault(test["name"], [0, 0])
            counts[test["name"]] = [passed + (test["status"] == "passed"), graded + 1]
    return sorted(
        ((name, p, g) for name, (p, g) in counts.items()),
        key=lambda item: (item[1] / item[2], item[0]),
    )
