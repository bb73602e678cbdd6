"""A graded class as data: each student's gradebook row (as ``gradebook.read_book`` reads it)
and test results, and what the class page sums up (pass rates, the named mistakes, the modules
that did not import)."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from autograder.formats import manifest
from autograder.formats.gradebook import read_book, results_file
from autograder.formats.manifest import Assignment
from autograder.formats.results import DETAILS, is_details, read_file, split_printed
from autograder.model import mistakes
from autograder.model.row import WITH_RESULTS, Row, Status

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


GRADES = (Status.GRADED, Status.LATE_CUTOFF)
"""Rows that are a grade of the code, with its results: what the class's figures count."""


@dataclass
class Student:
    """A gradebook row and, when it was graded, its results."""

    row: Row
    tests: list[TestResult] = field(default_factory=list)
    notes: str = ""
    results: bool = False
    """Whether the results were read (a graded row, or one with grader errors)."""

    @property
    def id(self) -> str:
        return self.row.student

    @property
    def name(self) -> str:
        return self.row.shown_name

    @property
    def total(self) -> float:
        return self.row.total

    @property
    def adjusted(self) -> float:
        """The total after any late penalty: the grade, as the exports give it."""
        return self.row.adjusted_total

    @property
    def scores(self) -> dict[str, float]:
        return self.row.scores

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def graded(self) -> bool:
        return self.status in GRADES

    @property
    def late(self) -> str:
        """What handing in late cost, in words; "" for a row handed in on time."""
        row = self.row
        if not row.late:
            return ""
        due = f" (after your extended due date, {row.extended_due})" if row.extended_due else ""
        said = f"handed in {row.late_hours or 0:.2f} hours late{due}"
        if row.status == Status.LATE_CUTOFF:
            return f"{said}: past the cutoff, so {row.adjusted_total:g} after the penalty"
        if not row.penalty:
            return f"{said}: no penalty"
        return f"{said}: {row.penalty:g}% off, {row.adjusted_total:g} after the penalty"


def question_of(name: str, assignment: Assignment) -> str:
    """The question id a test's name (``"<question>: <title>"``) starts with ("" if none)."""
    head, sep, _ = name.partition(": ")
    return head if sep and head in {q.id for q in assignment.questions} else ""


def read_results(path: Path, assignment: Assignment) -> tuple[list[TestResult], str]:
    """A ``results.json``'s tests, each failed ``pass_fail_now`` test with its feedback
    entry's text (entries ending ``(details)``), and its ``output`` (the notes)."""
    data = read_file(path)
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
    """Every row of ``gradebook`` (``read_book``: refused if graded under other points than
    the manifest's), with the results of those that have them."""
    assignment = assignment or manifest.current()
    students = []
    for row in read_book(gradebook, assignment).rows:
        student = Student(row)
        path = results_file(gradebook.parent / "results", row.student)
        # a timed-out row has no results of this run (a file there is an older run's)
        if row.status in WITH_RESULTS and safe_name(row.student) and path.is_file():
            student.tests, student.notes = read_results(path, assignment)
            student.results = True
        students.append(student)
    return students


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
    made: dict[tuple[str, str], set[str]] = defaultdict(set)
    failures = []
    for student in graded:
        for test in student.tests:
            for name in mistakes.named(test.feedback):
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
    order = {q.id: i for i, q in enumerate(assignment.questions)}
    named = sorted(
        ((q, name, sorted(who)) for (q, name), who in made.items()),
        key=lambda item: (-len(item[2]), order.get(item[0], len(order)), item[1]),
    )
    not_graded = [s for s in students if s not in graded]
    return Summary(graded, not_graded, pass_rates(graded), named, failures)


def pass_rates(students: list[Student]) -> list[tuple[str, int, int]]:
    """``(test name, passed, graded)`` for every test of ``students``' results, the most
    failed first."""
    counts: dict[str, list[int]] = {}
    for student in students:
        for test in student.tests:
            passed, seen = counts.setdefault(test.name, [0, 0])
            counts[test.name] = [passed + test.passed, seen + 1]
    return sorted(
        ((name, p, g) for name, (p, g) in counts.items()),
        key=lambda item: (item[1] / item[2], item[0]),
    )
