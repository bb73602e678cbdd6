"""Gradescope's ``results.json``: written from a grading report, and read back (by a regrade,
the exports and the reports), in this module only.

A test's entry is named ``<question>: <title>``; a ``pass_fail_now`` test that failed has a
second entry of feedback, named with ``DETAILS``. What the code printed during a test follows
its feedback after ``PRINTED``."""

import json
from pathlib import Path

from autograder.errors import RnnlabError
from autograder.formats.files import write_atomic
from autograder.formats.manifest import Assignment
from autograder.model.outcome import Outcome, Report
from autograder.model.visibility import HIDDEN_VISIBILITY, shown

PASSED = "passed"
FAILED = "failed; what went wrong is shown after the due date"
"""What a ``pass_fail_now`` test's visible entry says, then ``pointers`` says more."""
PUBLIC_PASS = "Your public checks of this clause pass; this hidden test uses other cases"
"""Said before the due date when a hidden test fails but its clause's public tests pass."""
DETAILS = " (details)"
"""Added to a ``pass_fail_now`` test's name for its entry of feedback."""
PRINTED = "--- what your code printed (the last of it) ---"
"""Where a test's feedback gives way to what the code printed."""
PRINTED_KEPT = 2000
"""The characters of the code's printing a test's output keeps (its last ones)."""


def printed_section(text: str) -> str:
    """What the code printed during a test, as its output ends with it ("" if nothing)."""
    return f"\n{PRINTED}\n{text[-PRINTED_KEPT:]}" if text else ""


def split_printed(output: str) -> tuple[str, str]:
    """A test's output as (feedback, what the code printed)."""
    feedback, sep, printed = output.partition(PRINTED)
    if not sep:
        return output, ""
    return feedback.rstrip("\n"), printed.strip("\n")


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
    when its ``hidden_visibility`` says (``model.visibility``)."""
    passed = {(o.question.id, o.test.id): o.passed for o in report.outcomes}
    return {
        "score": round(report.score, 4),
        "execution_time": round(report.seconds, 2),
        "output": "\n".join(notes(report)),
        "tests": [entry for o in report.outcomes for entry in _entries(o, passed)],
    }


def pointers(outcome: Outcome, passed: dict[tuple[str, str], bool]) -> str:
    """What a failed hidden test's line says before the due date, after ``FAILED``: the known
    mistake its feedback names (a name holds no case), and where to look: the public tests
    of its clause that fail, or, when they all pass, that this test uses other cases.
    ``passed`` is each test's verdict in this report, by (question id, test id)."""
    said = [FAILED]
    if outcome.mistake:
        said.append(f"It names a known mistake: {outcome.mistake}")
    public = outcome.test.public
    verdicts = [passed.get((outcome.question.id, t)) for t in public]
    failing = [t for t, ok in zip(public, verdicts, strict=True) if ok is False]
    if failing:
        said.append(f"Its clause's public tests that fail: {_names(failing)}")
    elif public and all(verdicts):
        said.append(PUBLIC_PASS)
    elif public:  # not run in this report (a regrade of some tests)
        said.append(f"Its clause's public tests: {_names(public)}")
    return ". ".join(said)


def _names(tests) -> str:
    return ", ".join(f"test_{t}" for t in tests)


def _entries(outcome: Outcome, passed: dict[tuple[str, str], bool]) -> list[dict]:
    when = shown(outcome.test.visibility, outcome.test.shown)
    entry = {
        "name": outcome.name,
        "score": outcome.score,
        "max_score": outcome.test.points,
        "status": "passed" if outcome.passed else "failed",
        "output": outcome.output,
        "visibility": HIDDEN_VISIBILITY[when].gradescope,
    }
    if when != "pass_fail_now":
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
        "visibility": HIDDEN_VISIBILITY["hidden"].gradescope,
    }
    return [{**entry, "output": pointers(outcome, passed)}, details]


def grader_log(report: Report) -> str:
    """The tracebacks of the grader's faults, for the instructor ("" when there are none)."""
    return "".join(f"== {o.name}\n{o.grader_error}\n" for o in report.grader_errors)


def write_json(report: Report, path: Path) -> None:
    write_text(json.dumps(gradescope(report), indent=2), path)


def write_text(text: str, path: Path) -> None:
    """Write ``text`` to ``path``, whole or not at all (``files.write_atomic``)."""
    write_atomic(path, text)


# -- reading a results file back --------------------------------------------------------------


class ResultsError(RnnlabError, ValueError):
    """A results file that no longer matches the manifest's tests."""


def read_file(path: Path) -> dict:
    """A results file's data (what ``write_json`` wrote); ``ResultsError`` if it is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise ResultsError(f"{path}: not a results file: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tests", []), list):
        raise ResultsError(f"{path}: not a results file: no list of tests")
    return data


def question_of(entry: dict) -> str:
    return str(entry.get("name", "")).split(": ", 1)[0]


def is_details(entry: dict) -> bool:
    return str(entry.get("name", "")).endswith(DETAILS) and not entry.get("max_score")


def tests_by_name(assignment: Assignment) -> dict[str, list]:
    """Each test's name in a results file -> its (question, test), in order."""
    names: dict[str, list] = {}
    for question in assignment.questions:
        for test in question.tests:
            names.setdefault(f"{question.id}: {test.title}", []).append((question, test))
    return names


def match(data: dict, assignment: Assignment, where: Path) -> list[tuple[dict, object]]:
    """Each entry of a results file with its ``(question, test)`` (None for an entry of
    feedback only); raises if an entry is no test of the manifest, or a test has no entry."""
    names = tests_by_name(assignment)
    used: dict[str, int] = {}
    matched = []
    for entry in data.get("tests", []):
        if is_details(entry):
            matched.append((entry, None))
            continue
        name = str(entry.get("name", ""))
        index = used.get(name, 0)
        if index >= len(names.get(name, [])):
            raise ResultsError(
                f"{where}: the test {name!r} is not in the manifest: a test was renamed or "
                "removed, so its points cannot be carried over; grade the class again "
                "(rnnlab grade-all -q QUESTION for the questions that changed)"
            )
        used[name] = index + 1
        matched.append((entry, names[name][index]))
    unseen = [name for name, tests in names.items() if used.get(name, 0) < len(tests)]
    if unseen:
        raise ResultsError(
            f"{where}: no result for the test {unseen[0]!r}: it is new in the manifest and has "
            "never run; grade it (rnnlab grade-all -q QUESTION)"
        )
    return matched


def question_scores(data: dict) -> dict[str, float]:
    scores: dict[str, float] = {}
    for entry in data.get("tests", []):
        question = question_of(entry)
        scores[question] = scores.get(question, 0.0) + float(entry.get("score") or 0)
    return scores
