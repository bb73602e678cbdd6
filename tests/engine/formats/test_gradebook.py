"""The gradebook's file: written whole, read back as written, formulas defused both ways."""

import json
import stat

import pytest

from autograder import ROOT
from autograder.formats import manifest
from autograder.formats.gradebook import (
    GradebookError,
    already_graded,
    read_book,
    row_cells,
    rubric_file,
    rubric_of,
    write_gradebook,
)
from autograder.model.row import WITH_RESULTS, Row, Status

SOFTMAX = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")


def written(tmp_path, rows):
    path = tmp_path / "out" / "gradebook.csv"
    write_gradebook(path, SOFTMAX, [row_cells(row, SOFTMAX) for row in rows])
    return path


def test_rows_read_back_as_written_and_formulas_stay_text(tmp_path):
    rows = [
        Row("=HYPERLINK(1)", 17, {"softmax_forward": 10}, "graded", name="@ann"),
        Row("ben", 0, {}, "grader-error: -1 is not a path"),
    ]
    path = written(tmp_path, rows)
    book = read_book(path, SOFTMAX)
    assert book.students == ["=HYPERLINK(1)", "ben"]
    assert book.written["=HYPERLINK(1)"][0] == "'=HYPERLINK(1)"  # as a spreadsheet must get it
    ann = book.row("=HYPERLINK(1)")
    assert (ann.total, ann.scores) == (17, {"softmax_forward": 10, "softmax_gradient": 0})
    assert book.row("ben").name == "" and book.row("ben").scores == {
        "softmax_forward": 0,
        "softmax_gradient": 0,
    }
    assert book.row("=HYPERLINK(1)").name == "@ann"
    assert book.row("ben").status == "grader-error: -1 is not a path"
    assert already_graded(path, SOFTMAX) == {"=HYPERLINK(1)"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # who got which grade is private
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "gradebook.csv",
        "gradebook.csv.rubric.json",
    ]  # no temporary left


def test_a_torn_last_row_is_not_a_row(tmp_path):
    path = written(tmp_path, [Row("ann", 17, {}, "graded"), Row("ben", 3, {}, "graded")])
    path.write_text(path.read_text()[:-12])  # a copy cut short by hand
    assert read_book(path, SOFTMAX).students == ["ann"]


def test_a_file_that_is_no_gradebook_is_refused_with_what_is_missing(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("student,total\nann,3\n")
    with pytest.raises(GradebookError, match="no column name, sid, email, softmax_forward"):
        read_book(path, SOFTMAX)
    with pytest.raises(FileNotFoundError):
        read_book(tmp_path / "missing.csv", SOFTMAX)
    assert read_book(tmp_path / "missing.csv", SOFTMAX, missing_ok=True).rows == []


def test_a_status_with_a_reason_keeps_its_kind_but_not_its_results(tmp_path):
    timeout = Status.TIMEOUT.because("not graded within 9 s")
    failed = Status.GRADER_ERROR.because("the grader process died")
    assert timeout == "timeout: not graded within 9 s"
    rows = [Row("ann", 0, {}, timeout), Row("ben", 0, {}, failed), Row("cy", 4, {}, "graded")]
    path = written(tmp_path, rows)
    assert already_graded(path, SOFTMAX) == {"ann", "cy"}  # a timeout is final, an error not
    statuses = {r.student: r.status for r in read_book(path, SOFTMAX).rows}
    assert {s for s, status in statuses.items() if status in WITH_RESULTS} == {"cy"}


def test_the_book_records_its_rubric_and_is_not_read_under_another(tmp_path):
    path = written(tmp_path, [Row("ann", 17, {"softmax_forward": 10}, "graded")])
    assert read_book(path, SOFTMAX).rubric == rubric_of(SOFTMAX)
    record = json.loads(rubric_file(path).read_text())
    record["points"]["softmax_forward"]["rows_sum_to_one"] = 2.0
    rubric_file(path).write_text(json.dumps(record))
    with pytest.raises(GradebookError) as refused:
        read_book(path, SOFTMAX)
    said = str(refused.value)
    assert "\n" not in said and f"rnnlab regrade {path}" in said
    assert "graded out of 18 points, the manifest now gives 17" in said
    assert "softmax_forward/rows_sum_to_one 2 -> 1" in said
    assert read_book(path, SOFTMAX, same_rubric=False).students == ["ann"]  # what regrade reads


def test_a_hand_edited_adjusted_total_is_refused_and_an_older_book_is_read(tmp_path):
    path = written(tmp_path, [Row("ann", 10, {}, "graded", late_hours=3, penalty=10)])
    text = path.read_text()
    assert ",9,graded" in text
    path.write_text(text.replace(",9,graded", ",10,graded"))
    with pytest.raises(GradebookError, match="line 2: adjusted_total 10 is not the total 10 less"):
        read_book(path, SOFTMAX)
    # a book written before extensions had their column: read, and written back in today's
    header, row = text.splitlines()
    cells = row.split(",")
    del cells[header.split(",").index("extended_due")]
    path.write_text(header.replace(",extended_due", "") + "\n" + ",".join(cells) + "\n")
    book = read_book(path, SOFTMAX)
    assert book.row("ann").adjusted_total == 9 and book.row("ann").extended_due == ""
    assert book.written["ann"] == row.split(",")
