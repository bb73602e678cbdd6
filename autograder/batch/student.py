"""One student of a class graded: their results.json written, their gradebook row returned.

The same for a local batch (``batch.local``) and a Dask one (``batch.cluster``).
"""

from pathlib import Path

from autograder.formats import manifest
from autograder.formats.classroom import Entry
from autograder.formats.gradebook import grader_log_file, results_file
from autograder.formats.manifest import Assignment
from autograder.model.row import Row, Status


def grade_one(entry: Entry, results_dir: Path, assignment: Assignment | None = None) -> Row:
    """Grade one submission (in a grader process); its results.json lands in results_dir.

    Whatever happens, a row comes back: a grader fault is the row's status, never
    an exception that would stop the batch.
    """
    from autograder.formats import results
    from autograder.grading.grade import grade

    output = results_file(results_dir, entry.student)
    if entry.questions and output.is_file():  # a regrade of some questions, merged in
        from autograder.batch import regrade

        return regrade.grade_questions(entry, output, assignment or manifest.current())
    try:
        report = grade(entry.path, assignment=assignment, hidden_paths=[results_dir])
        results.write_json(report, output)
    except Exception as error:  # noqa: BLE001 - the grader's own failure: a row that says so
        why = f"{type(error).__name__}: {error}"
        return Row(entry.student, 0, {}, Status.GRADER_ERROR.because(why))
    log = results.grader_log(report)
    if log:
        results.write_text(log, grader_log_file(output))
    scores = {q: sum(o.score for o in outcomes) for q, outcomes in report.by_question().items()}
    status = Status.GRADER_ERROR if log else Status.GRADED
    return Row(entry.student, report.score, scores, status)


def timeout_row(student: str, timeout: float) -> Row:
    """The row of a student not graded within ``timeout`` seconds (a local or Dask batch)."""
    return Row(student, 0, {}, Status.TIMEOUT.because(f"not graded within {timeout:g} s"))
