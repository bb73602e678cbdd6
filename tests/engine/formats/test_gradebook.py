"""The gradebook's file: written whole, read back as written, formulas defused both ways."""

import stat

import pytest

from autograder import ROOT
from autograder.formats import manifest
from autograder.formats.gradebook import (
    GradebookError,
    already_graded,
    columns,
    read_gradebook,
    read_rows,
    row_cells,
    write_gradebook,
)
from autograder.model.row import WITH_RESULTS, Row, Status

SOFTMAX = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")


def written(tmp_path, rows):
    path = tmp_path / "out" / "gradebook.csv"
    write_gradebook(path, columns(SOFTMAX), [row_cells(row, SOFTMAX) for row in rows])
    return path


def test_rows_read_back_as_written_and_formulas_stay_text(tmp_path):
    rows = [
        Row("=HYPERLINK(1)", 17, {"softmax_forward": 10}, "graded", name="@ann"),
        Row("ben", 0, {}, "grader-error: -1 is not a path"),
    ]
    path = written(tmp_path, rows)
    raw = read_gradebook(path, SOFTMAX)
    assert set(raw) == {"=HYPERLINK(1)", "ben"}
    assert raw["=HYPERLINK(1)"][0] == "'=HYPERLINK(1)"  # as a spreadsheet must get it
    by_student = {r["student"]: r for r in read_rows(path, SOFTMAX, exact=True)}
    assert by_student["=HYPERLINK(1)"]["name"] == "@ann"
    assert by_student["ben"]["status"] == "grader-error: -1 is not a path"
    assert already_graded(path, SOFTMAX) == {"=HYPERLINK(1)"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # who got which grade is private
    assert [p.name for p in path.parent.iterdir()] == ["gradebook.csv"]  # no temporary left


def test_a_torn_last_row_is_not_a_row(tmp_path):
    path = written(tmp_path, [Row("ann", 17, {}, "graded"), Row("ben", 3, {}, "graded")])
    path.write_text(path.read_text()[:-12])  # a copy cut short by hand
    assert set(read_gradebook(path, SOFTMAX)) == {"ann"}


def test_a_file_that_is_no_gradebook_is_refused_with_what_is_missing(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("student,total\nann,3\n")
    with pytest.raises(GradebookError, match="no column name, sid, email, adjusted_total"):
        read_rows(path, SOFTMAX)
    with pytest.raises(FileNotFoundError):
        read_rows(tmp_path / "missing.csv", SOFTMAX)


def test_a_status_with_a_reason_keeps_its_kind_but_not_its_results(tmp_path):
    timeout = Status.TIMEOUT.because("not graded within 9 s")
    failed = Status.GRADER_ERROR.because("the grader process died")
    assert timeout == "timeout: not graded within 9 s"
    rows = [Row("ann", 0, {}, timeout), Row("ben", 0, {}, failed), Row("cy", 4, {}, "graded")]
    path = written(tmp_path, rows)
    assert already_graded(path, SOFTMAX) == {"ann", "cy"}  # a timeout is final, an error not
    statuses = {r["student"]: r["status"] for r in read_rows(path, SOFTMAX)}
    assert {s for s, status in statuses.items() if status in WITH_RESULTS} == {"cy"}
