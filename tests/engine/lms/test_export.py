"""A Gradescope export through grade-all with a late policy, then to Canvas and a long CSV;
regrading some students or questions in place; rescoring after a rubric change (on the small
softmax assignment)."""

import csv
import json
import shutil
from dataclasses import replace

import pytest

from autograder import ROOT
from autograder.batch import local as batch
from autograder.cli import ASSIGNMENT_ENV, main
from autograder.errors import UsageError
from autograder.formats import manifest
from autograder.formats.gradebook import (
    already_graded,
    columns,
    read_book,
    row_cells,
    rubric_of,
    write_gradebook,
)
from autograder.lms import export, roster

SOFTMAX_DIR = ROOT / "tests" / "assignments" / "softmax"
SOFTMAX = manifest.load(SOFTMAX_DIR / "assignment")

METADATA = """\
submission_1001:
  :submitters:
  - :name: Ann Lee
    :sid: '1001'
    :email: ann@example.edu
  :created_at: 2026-12-01 20:00:00.123456000 -08:00
  :score: !ruby/object:BigDecimal 18:0.17e2
submission_1002:
  :submitters:
  - :name: "=HYPERLINK(\\"http://x\\")"
    :sid: '1002'
    :email: ben@example.edu
  :created_at: 2026-12-03 01:00:00.000000000 -08:00
submission_1003:
  :submitters:
  - :name: Cy Ho
    :sid: '1003'
    :email: cy@example.edu
  - :name: Di Wu
    :sid: '1004'
    :email: di@example.edu
  :created_at: 2026-12-05 09:00:00.000000000 -08:00
submission_1004:
  :submitters:
  - :name: Ann Lee
    :sid: '1005'
    :email: ann2@example.edu
  :created_at: 2026-12-02 00:30:00.000000000 -08:00
"""
FORMULA = '=HYPERLINK("http://x")'
FORMULA_ID = '=HYPERLINK("http:__x")'
"""No ``/`` in an id: it names the student's results file."""
POLICY = ["--due", "2026-12-01T23:59-08:00", "--penalty-per-day", "10", "--cutoff-days", "3"]


def partial_source() -> str:
    """The reference with the gradient not divided by N: passes 2 of softmax_gradient's 7."""
    source = (SOFTMAX.reference / "softmax.py").read_text()
    assert "    return dz / len(z)\n" in source
    return source.replace("    return dz / len(z)\n", "    return dz\n")


def gradescope_export(folder):
    """Gradescope's "Export Submissions", unzipped: the reference on time; the stubs a day
    late; a pair with the reference four days late; a second Ann Lee, a bug, half an hour
    late."""
    folder.mkdir()
    sources = {
        "submission_1001": (SOFTMAX.reference / "softmax.py").read_text(),
        "submission_1002": (SOFTMAX.folder / "softmax.py").read_text(),
        "submission_1003": (SOFTMAX.reference / "softmax.py").read_text(),
        "submission_1004": partial_source(),
    }
    for name, source in sources.items():
        (folder / name).mkdir()
        (folder / name / "softmax.py").write_text(source)
    (folder / roster.METADATA).write_text(METADATA)
    return folder


@pytest.fixture
def on_softmax(monkeypatch):
    """The CLI's current assignment is the softmax one (restored after)."""
    monkeypatch.setenv(ASSIGNMENT_ENV, str(SOFTMAX.path))
    manifest.current.cache_clear()
    yield
    manifest.current.cache_clear()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The export graded once, through the command line, with the late policy."""
    root = tmp_path_factory.mktemp("graded")
    submissions = gradescope_export(root / "export")
    gradebook = root / "out" / "gradebook.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ASSIGNMENT_ENV, str(SOFTMAX.path))
        manifest.current.cache_clear()
        try:
            argv = ["grade-all", str(submissions), "-o", str(gradebook), "--workers", "2"]
            assert main([*argv, *POLICY]) == 0
        finally:
            manifest.current.cache_clear()
    return root


@pytest.fixture
def copy(graded, tmp_path):
    """A copy of the graded class to change."""
    shutil.copytree(graded, tmp_path / "class")
    return tmp_path / "class"


def rows(gradebook):
    with gradebook.open(newline="") as handle:
        return {r["student"]: r for r in csv.DictReader(handle)}


def test_rows_are_named_by_their_submitters_with_lateness_and_adjusted_totals(graded):
    gradebook = graded / "out" / "gradebook.csv"
    book = rows(gradebook)
    assert list(next(iter(book.values()))) == columns(SOFTMAX)
    assert list(book) == ["Ann Lee (1001)", "'" + FORMULA_ID, "Cy Ho & Di Wu", "Ann Lee (1005)"]
    ann, ben, pair, ann2 = book.values()
    assert (ann["name"], ann["sid"], ann["email"]) == ("Ann Lee", "1001", "ann@example.edu")
    assert ann["submitted_at"] == "2026-12-01T20:00:00-08:00"
    assert ann["submitted_from"] == "metadata"
    assert (ann["total"], ann["late_hours"], ann["penalty_pct"]) == ("17", "0.00", "0")
    assert (ann["adjusted_total"], ann["status"]) == ("17", "graded")
    assert ben["name"] == "'" + FORMULA  # a safe cell
    assert (ben["total"], ben["late_hours"], ben["penalty_pct"]) == ("0", "25.02", "20")
    # four days late with a cutoff of three: 0, whatever the tests said
    assert (pair["name"], pair["sid"]) == ("Cy Ho; Di Wu", "1003; 1004")
    assert (pair["total"], pair["late_hours"], pair["penalty_pct"]) == ("17", "81.02", "100")
    assert (pair["adjusted_total"], pair["status"]) == ("0", "late-cutoff")
    # half an hour late: one started day, 10 % of 12
    assert (ann2["total"], ann2["softmax_gradient"], ann2["late_hours"]) == ("12", "2", "0.52")
    assert (ann2["penalty_pct"], ann2["adjusted_total"]) == ("10", "10.8")
    results = sorted(p.name for p in (graded / "out" / "results").glob("*.json"))
    assert results == sorted(
        ["Ann Lee (1001).json", f"{FORMULA_ID}.json", "Cy Ho & Di Wu.json", "Ann Lee (1005).json"]
    )
    policy = roster.remembered(gradebook)
    assert policy.per_day == 10 and policy.cutoff_days == 3
    assert already_graded(gradebook, SOFTMAX) == {
        "Ann Lee (1001)",
        FORMULA_ID,
        "Cy Ho & Di Wu",
        "Ann Lee (1005)",
    }


def test_the_canvas_export_has_canvas_columns_and_its_points_possible_row(
    graded, tmp_path, on_softmax
):
    output = tmp_path / "canvas.csv"
    gradebook = graded / "out" / "gradebook.csv"
    argv = ["export", "canvas", str(gradebook), "-o", str(output), "--assignment-name", "RNN lab"]
    assert main(argv) == 0
    lines = output.read_text().splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,RNN lab"
    assert lines[1] == "    Points Possible,,,,,17"
    with output.open(newline="") as handle:
        table = list(csv.reader(handle))[2:]
    assert table == [
        ["Ann Lee", "", "1001", "ann@example.edu", "", "17"],
        ["'" + FORMULA, "", "1002", "ben@example.edu", "", "0"],
        ["Cy Ho", "", "1003", "cy@example.edu", "", "0"],  # a pair: a row each
        ["Di Wu", "", "1004", "di@example.edu", "", "0"],
        ["Ann Lee", "", "1005", "ann2@example.edu", "", "10.8"],
    ]


def test_the_long_export_has_a_row_per_student_and_test(graded, tmp_path, on_softmax):
    output = tmp_path / "long.csv"
    assert main(["export", "csv", str(graded / "out" / "gradebook.csv"), "-o", str(output)]) == 0
    with output.open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0]) == export.LONG_COLUMNS
    tests = sum(len(q.tests) for q in SOFTMAX.questions)
    assert len(table) == 4 * tests
    shape = [r for r in table if r["sid"] == "1005" and r["test"] == "gradient_matches_reference"]
    assert len(shape) == 1
    assert shape[0]["question"] == "softmax_gradient" and shape[0]["name"] == "Ann Lee"
    assert (shape[0]["score"], shape[0]["max_score"], shape[0]["status"]) == ("0", "2", "failed")
    assert {r["student"] for r in table} >= {"'" + FORMULA_ID}
    assert sum(float(r["score"]) for r in table if r["sid"] == "1005") == 12


def test_only_regrades_one_student_and_leaves_the_other_rows_byte_identical(copy):
    gradebook = copy / "out" / "gradebook.csv"
    before = gradebook.read_bytes().splitlines()
    shutil.copy(SOFTMAX.reference / "softmax.py", copy / "export" / "submission_1004")
    regraded = batch.grade_all(
        copy / "export", gradebook, assignment=SOFTMAX, only=["Ann Lee (1005)"]
    )
    assert [r.student for r in regraded] == ["Ann Lee (1005)"]
    after = gradebook.read_bytes().splitlines()
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [4]  # her row only
    ann2 = rows(gradebook)["Ann Lee (1005)"]
    # the late policy the gradebook was graded under still applies
    assert (ann2["total"], ann2["penalty_pct"], ann2["adjusted_total"]) == ("17", "10", "15.3")
    with pytest.raises(UsageError, match="argument --only: no submission of 'Zed'"):
        batch.grade_all(copy / "export", gradebook, assignment=SOFTMAX, only=["Zed"])
    assert gradebook.read_bytes().splitlines() == after


def test_a_question_regrade_is_merged_into_the_results_and_the_row(copy):
    gradebook = copy / "out" / "gradebook.csv"
    results = copy / "out" / "results" / f"{FORMULA_ID}.json"
    old = json.loads(results.read_text())
    # the stubs' student hands in a gradient: only that question is graded again
    shutil.copy(SOFTMAX.reference / "softmax.py", copy / "export" / "submission_1002")
    batch.grade_all(
        copy / "export",
        gradebook,
        assignment=SOFTMAX,
        only=["submission_1002"],  # by folder name
        questions=["softmax_gradient"],
    )
    ben = rows(gradebook)["'" + FORMULA_ID]
    assert (ben["softmax_forward"], ben["softmax_gradient"], ben["total"]) == ("0", "7", "7")
    assert (ben["penalty_pct"], ben["adjusted_total"]) == ("20", "5.6")
    new = json.loads(results.read_text())
    assert new["score"] == 7
    forward = [t for t in new["tests"] if t["name"].startswith("softmax_forward: ")]
    assert forward == [t for t in old["tests"] if t["name"].startswith("softmax_forward: ")]
    names = [t["name"].split(": ")[0] for t in new["tests"]]
    assert names == sorted(names, key=["softmax_forward", "softmax_gradient"].index)
    gradient = [t for t in new["tests"] if t["name"].startswith("softmax_gradient: ")]
    assert {t["status"] for t in gradient} == {"passed"} and len(gradient) == 5


def test_regrade_after_moving_a_point_rescores_without_running_anything(
    copy, tmp_path, monkeypatch, capsys
):
    from autograder import sandbox

    def refuse(self):
        raise AssertionError("regrade started a sandbox")

    monkeypatch.setattr(sandbox.Sandbox, "start", refuse)
    shutil.copytree(SOFTMAX_DIR, tmp_path / "softmax")
    toml = tmp_path / "softmax" / "assignment" / "rnnlab.toml"
    text = toml.read_text()
    for old, new in (
        ("gradient_shape = { points = 1,", "gradient_shape = { points = 2,"),
        (
            "gradient_matches_reference = { points = 2,",
            "gradient_matches_reference = { points = 1,",
        ),
    ):
        assert old in text
        text = text.replace(old, new)
    toml.write_text(text)
    monkeypatch.setenv(ASSIGNMENT_ENV, str(toml))
    manifest.current.cache_clear()
    try:
        gradebook = copy / "out" / "gradebook.csv"
        assert main(["regrade", str(gradebook)]) == 0
        out = capsys.readouterr().out
        assert "Ann Lee (1005): 10.8 -> 11.7" in out and "no submission code ran" in out
        book = rows(gradebook)
        ann2 = book["Ann Lee (1005)"]  # passes the shape test (now 2), fails the other (now 1)
        assert (ann2["softmax_gradient"], ann2["total"], ann2["adjusted_total"]) == (
            "3",
            "13",
            "11.7",
        )
        assert book["Ann Lee (1001)"]["total"] == "17"
        assert book["Cy Ho & Di Wu"]["adjusted_total"] == "0"
        assert book["Cy Ho & Di Wu"]["status"] == "late-cutoff"
        data = json.loads((copy / "out" / "results" / "Ann Lee (1005).json").read_text())
        shape = next(t for t in data["tests"] if t["name"].endswith("the logits' shape"))
        assert (shape["score"], shape["max_score"], data["score"]) == (2, 2, 13)
        # a renamed test cannot be carried over: refused, nothing written
        text = toml.read_text().replace('"the gradient has', '"the gradient keeps')
        toml.write_text(text)
        manifest.current.cache_clear()
        before = gradebook.read_bytes()
        assert main(["regrade", str(gradebook)]) == 2
        err = capsys.readouterr().err
        assert "the gradient has the logits' shape" in err and "grade-all -q" in err
        assert gradebook.read_bytes() == before
    finally:
        manifest.current.cache_clear()


def test_regrade_applies_a_new_late_policy(copy, on_softmax, capsys):
    gradebook = copy / "out" / "gradebook.csv"
    assert main(["regrade", str(gradebook), "--due", "2026-12-06T00:00-08:00"]) == 0
    book = rows(gradebook)
    pair = book["Cy Ho & Di Wu"]
    assert (pair["late_hours"], pair["adjusted_total"], pair["status"]) == ("0.00", "17", "graded")
    assert book["Ann Lee (1005)"]["adjusted_total"] == "12"
    assert roster.remembered(gradebook).per_day == 0


def test_only_says_what_it_regraded_and_the_pass_rates_of_the_whole_book(copy, on_softmax, capsys):
    gradebook = copy / "out" / "gradebook.csv"
    argv = ["grade-all", str(copy / "export"), "-o", str(gradebook), "--only", "Ann Lee (1005)"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "regraded 1 of the 4 rows" in out and "the other 3 stay as they were" in out
    assert "over the gradebook's 4 graded rows" in out  # every graded row, late or not
    tests = [f"{q.id}: {t.title}" for q in SOFTMAX.questions for t in q.tests]
    shown = [name for name in tests if name.split(": ")[1][:20] in out]
    assert len(shown) == len(tests)  # a row per test, not an empty table


def _move_a_point(tmp_path, monkeypatch):
    """The softmax manifest with the gradient's shape test worth 3 points (total 19)."""
    shutil.copytree(SOFTMAX_DIR, tmp_path / "softmax")
    toml = tmp_path / "softmax" / "assignment" / "rnnlab.toml"
    text = toml.read_text().replace("total = 17", "total = 19")
    old = "gradient_shape = { points = 1,"
    assert old in text
    toml.write_text(text.replace(old, "gradient_shape = { points = 3,"))
    monkeypatch.setenv(ASSIGNMENT_ENV, str(toml))
    manifest.current.cache_clear()
    return manifest.current()


def test_a_book_is_never_on_two_scales(copy, tmp_path, monkeypatch, capsys):
    gradebook = copy / "out" / "gradebook.csv"
    before = gradebook.read_bytes()
    try:
        changed = _move_a_point(tmp_path, monkeypatch)
        for argv in (
            ["grade-all", str(copy / "export"), "-o", str(gradebook), "--only", "Ann Lee (1005)"],
            ["grade-all", str(copy / "export"), "-o", str(gradebook), "--resume"],
            ["report", str(gradebook)],
            ["export", "canvas", str(gradebook), "-o", str(tmp_path / "canvas.csv")],
        ):
            assert main(argv) == 2, argv
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and "out of 17 points" in err, err
            assert "softmax_gradient/gradient_shape 1 -> 3" in err
            assert f"rnnlab regrade {gradebook}" in err
            assert gradebook.read_bytes() == before  # refused before anything is written
        assert not (tmp_path / "canvas.csv").exists()
        assert main(["regrade", str(gradebook)]) == 0
        capsys.readouterr()
        argv = ["grade-all", str(copy / "export"), "-o", str(gradebook), "--only", "Ann Lee (1005)"]
        assert main(argv) == 0
        assert main(["export", "canvas", str(gradebook), "-o", str(tmp_path / "canvas.csv")]) == 0
    finally:
        manifest.current.cache_clear()
    book = read_book(gradebook, changed)
    assert book.rubric == rubric_of(changed)
    with (tmp_path / "canvas.csv").open(newline="") as handle:
        canvas_rows = list(csv.reader(handle))
    assert canvas_rows[1][-1] == "19"
    ann = book.row("Ann Lee (1001)")  # the reference, rescored: every point of the new scale
    assert (ann.total, ann.scores["softmax_gradient"]) == (19, 9)
    assert max(float(r[-1]) for r in canvas_rows[2:]) <= 19


def test_regrade_keeps_an_extension(copy, on_softmax):
    """A student whose due date was extended keeps it when the policy is applied again."""
    gradebook = copy / "out" / "gradebook.csv"
    book = read_book(gradebook, SOFTMAX)
    extended = "2026-12-06T00:00-08:00"
    rows = [
        replace(r, extended_due=extended) if r.student == "Cy Ho & Di Wu" else r for r in book.rows
    ]
    write_gradebook(gradebook, SOFTMAX, [row_cells(r, SOFTMAX) for r in rows])
    assert main(["regrade", str(gradebook)]) == 0
    pair = read_book(gradebook, SOFTMAX).row("Cy Ho & Di Wu")
    assert (pair.late_hours, pair.penalty, pair.status) == (0, 0, "graded")
    assert (pair.adjusted_total, pair.extended_due) == (17, extended)
    assert read_book(gradebook, SOFTMAX).row("Ann Lee (1005)").adjusted_total == 10.8
