"""Grading a class: the gradebook, resuming after a kill, pass rates."""

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest
import submissions
from batches import interrupt_after_first_row, read, wait_for_a_row

from autograder import ROOT
from autograder.batch import local as batch
from autograder.errors import UsageError
from autograder.formats import manifest
from autograder.formats.classroom import discover
from autograder.formats.gradebook import already_graded, columns, read_book
from autograder.reports import class_results, figures

WAITS = "import time\nwhile True:  # until the grader stops it\n    time.sleep(1)\n"
"""A student who never finishes: a batch with one cannot end before the test stops it."""


def make_class(folder):
    """Four students: the reference as a zip, a buggy folder, the stubs, and not a zip."""
    folder.mkdir()
    with zipfile.ZipFile(folder / "carol.zip", "w") as archive:
        for module in (ROOT / "reference").glob("[!_]*.py"):
            archive.write(module, module.name)
    submissions.spliced(submissions.HERE / "buggy" / "padding_right.py", folder / "alice")
    submissions.hostile(submissions.HERE / "hostile" / "always_equal", folder / "bob")
    (folder / "dave.zip").write_text("not a zip")
    (folder / "notes.txt").write_text("not a submission")
    return folder


def test_discover_names_students_by_file_or_folder(tmp_path):
    entries = discover(make_class(tmp_path / "class"))
    assert [e.student for e in entries] == ["alice", "bob", "carol", "dave"]


def test_grade_all_writes_a_row_and_results_per_student(tmp_path):
    gradebook = tmp_path / "out" / "gradebook.csv"
    batch.grade_all(make_class(tmp_path / "class"), gradebook, workers=2)
    rows = {r["student"]: r for r in read(gradebook)}
    assert list(read(gradebook)[0]) == columns()
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert rows["carol"]["total"] == "100" and rows["carol"]["status"] == "graded"
    assert rows["alice"]["padding"] == "6" and rows["alice"]["total"] == "96"
    assert rows["bob"]["vocab"] == "0" and rows["dave"]["total"] == "0"
    assert all(r["status"] == "graded" for r in rows.values())
    assert sorted(p.stem for p in (tmp_path / "out" / "results").glob("*.json")) == sorted(rows)
    ordered = class_results.summarize(class_results.load_class(gradebook), manifest.current())
    rates = {name: (passed, graded) for name, passed, graded in ordered.rates}
    assert rates["padding: the lab sheet's [117, 18, 128] row"] == (1, 4)
    assert ordered.rates[0][1] <= 1  # most failed first
    figures.plot_pass_rates(ordered.rates, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_a_killed_batch_keeps_its_rows_and_resumes(tmp_path):
    classroom = make_class(tmp_path / "class")
    # bob, graded second, never finishes this time: the kill always lands after alice's row
    bob = classroom / "bob" / "vocab.py"
    handed_in = bob.read_text()
    bob.write_text(WAITS)
    gradebook = tmp_path / "out" / "gradebook.csv"
    command = [
        sys.executable,
        "-m",
        "autograder.cli",
        "grade-all",
        str(classroom),
        "-o",
        str(gradebook),
    ]
    # Its own TMPDIR puts that path in its sandboxes' command lines: the leftover check
    # below looks for this batch's processes only, not every grader's on the machine.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    wait_for_a_row(gradebook)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = read(gradebook)
    assert [row["student"] for row in kept] == ["alice"]
    bob.write_text(handed_in)  # what bob handed in, graded by the resumed batch
    batch.grade_all(classroom, gradebook, resume=True)
    rows = read(gradebook)
    assert all(row in rows for row in kept)  # what was graded stays as it was
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave"]
    leftover = subprocess.run(["pgrep", "-f", str(scratch)], capture_output=True)
    assert leftover.stdout == b""


# -- a gradebook that cannot be corrupted (on the small softmax assignment: fast) -------------

SOFTMAX = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")


def small_class(folder, names=("ann", "ben", "cy")):
    """Students of the softmax assignment: the reference, the stubs, the reference again."""
    folder.mkdir()
    sources = [SOFTMAX.reference, SOFTMAX.folder, SOFTMAX.reference]
    for name, source in zip(names, sources * len(names), strict=False):
        target = folder / name
        target.mkdir()
        shutil.copy(source / "softmax.py", target / "softmax.py")
    return folder


def test_a_torn_row_and_error_rows_are_graded_again(tmp_path):
    classroom = small_class(tmp_path / "class")
    gradebook = tmp_path / "out" / "gradebook.csv"
    batch.grade_all(classroom, gradebook, assignment=SOFTMAX, workers=2)
    full = read(gradebook)
    text = gradebook.read_text().splitlines(keepends=True)
    # ann's row says grader-error; cy's row was cut by a kill half way through it
    text[1] = text[1].replace(",graded", ",grader-error: the grader process died")
    gradebook.write_text("".join(text[:-1]) + text[-1][:8])
    assert already_graded(gradebook, SOFTMAX) == {"ben"}
    again = batch.grade_all(classroom, gradebook, assignment=SOFTMAX, resume=True)
    assert sorted(r.student for r in again) == ["ann", "cy"]
    assert read(gradebook) == full


def test_a_finished_batch_leaves_nothing_in_the_temporary_folder(tmp_path, monkeypatch):
    """Grader processes end on their closed pipe, so their exit handlers (the hypothesis
    home, zygotes) run: killed at every batch's end, each one left a folder behind."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the grader processes' temporary folder
    classroom = small_class(tmp_path / "class")
    rows = batch.grade_all(classroom, tmp_path / "out" / "g.csv", assignment=SOFTMAX, workers=2)
    assert [r.total for r in rows if r.student == "ann"] == [SOFTMAX.total]
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_two_submissions_of_one_student_are_refused_before_grading(tmp_path):
    classroom = small_class(tmp_path / "class", names=("alice",))
    (classroom / "alice.zip").write_bytes(b"")
    gradebook = tmp_path / "out" / "gradebook.csv"
    with pytest.raises(UsageError) as caught:
        batch.grade_all(classroom, gradebook, assignment=SOFTMAX)
    assert str(classroom / "alice") in str(caught.value)
    assert str(classroom / "alice.zip") in str(caught.value)
    assert not gradebook.exists()


def test_any_name_becomes_a_safe_id_and_cell(tmp_path):
    formula = "=2+5+cmd|' -C calc'!A0"
    classroom = small_class(tmp_path / "class", names=(formula, "plain"))
    os.rename(classroom / "plain", os.fsencode(classroom) + b"/caf\xe9")  # not UTF-8
    gradebook = tmp_path / "out" / "gradebook.csv"
    batch.grade_all(classroom, gradebook, assignment=SOFTMAX, workers=2)
    raw = gradebook.read_bytes().decode("utf-8")  # the whole file is UTF-8
    rows = read(gradebook)
    assert sorted(r["student"] for r in rows) == sorted(["'" + formula, "caf\\xe9"])
    assert {r["status"] for r in rows} == {"graded"}
    assert "\n=" not in raw and ",=" not in raw  # no cell starts a formula
    assert sorted(p.name for p in (tmp_path / "out" / "results").glob("*.json")) == sorted(
        [f"{formula}.json", "caf\\xe9.json"]
    )
    assert already_graded(gradebook, SOFTMAX) == {formula, "caf\\xe9"}


def test_pass_rates_count_only_the_gradebooks_students(tmp_path):
    classroom = small_class(tmp_path / "class", names=("ann",))
    gradebook = tmp_path / "out" / "gradebook.csv"
    stale = tmp_path / "out" / "results" / "zed.json"  # from an earlier class
    stale.parent.mkdir(parents=True)
    stale.write_text('{"tests": [{"name": "softmax_forward: x", "status": "failed"}]}')
    batch.grade_all(classroom, gradebook, assignment=SOFTMAX)
    students = class_results.load_class(gradebook, SOFTMAX)
    rates = class_results.pass_rates(students)
    assert read_book(gradebook, SOFTMAX).students == [s.id for s in students] == ["ann"]
    assert rates and all(passed == graded == 1 for _, passed, graded in rates)
    assert "softmax_forward: x" not in {name for name, _, _ in rates}


def test_a_student_who_hangs_gets_a_timeout_row_and_the_batch_goes_on(tmp_path):
    classroom = small_class(tmp_path / "class", names=("ann", "hangs"))
    source = (classroom / "hangs" / "softmax.py").read_text()
    (classroom / "hangs" / "softmax.py").write_text(source + "\nwhile True:\n    pass\n")
    gradebook = tmp_path / "out" / "gradebook.csv"
    batch.grade_all(classroom, gradebook, assignment=SOFTMAX, workers=2, timeout=15)
    status = {r["student"]: r["status"] for r in read(gradebook)}
    assert status["ann"] == "graded"
    assert status["hangs"].startswith(("timeout", "graded"))
    assert "hangs: " in gradebook.with_name("gradebook.csv.log").read_text()


def test_one_students_grader_failure_is_their_row_only(tmp_path):
    classroom = small_class(tmp_path / "class", names=("ann", "ben"))
    gradebook = tmp_path / "out" / "gradebook.csv"
    (tmp_path / "out" / "results" / "ann.json").mkdir(parents=True)  # results cannot be written
    batch.grade_all(classroom, gradebook, assignment=SOFTMAX)
    status = {r["student"]: r["status"] for r in read(gradebook)}
    assert status["ann"].startswith("grader-error") and status["ben"] == "graded"


@pytest.mark.parametrize("group", [False, True], ids=["process", "group"])
def test_ctrl_c_stops_the_batch_and_keeps_its_rows(tmp_path, group):
    classroom = small_class(tmp_path / "class", names=tuple(f"s{i:02}" for i in range(12)))
    (classroom / "s01" / "softmax.py").write_text(WAITS)  # graded second, after the first row
    gradebook = tmp_path / "out" / "gradebook.csv"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, "-m", "autograder.cli", "--assignment", str(SOFTMAX.path)]
    command += ["grade-all", str(classroom), "-o", str(gradebook)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    err, kept = interrupt_after_first_row(process, gradebook, group)
    assert process.returncode == 130 and b"interrupted" in err
    assert 1 <= len(kept) < 12
    assert all(row["status"] == "graded" for row in kept)
    time.sleep(1)
    leftover = subprocess.run(["pgrep", "-f", str(scratch)], capture_output=True)
    assert leftover.stdout == b""


@pytest.mark.slow
def test_every_alternative_and_a_variant_per_question_gets_full_marks_in_a_batch(tmp_path):
    """Correct code in every known style, as students hand it in: a row of 100 each."""
    from autograder.mutate import variants

    classroom = tmp_path / "class"
    classroom.mkdir()
    for i, group in enumerate(submissions.packed(submissions.ALTERNATIVE)):
        submissions.spliced(group, classroom / f"alternatives_{i}")
    for variant in variants.sample(variants.generate(), 7, seed=5):
        folder = classroom / f"variant_{variant.question}"
        shutil.copytree(ROOT / "reference", folder, ignore=shutil.ignore_patterns("_*", "lab"))
        (folder / f"{variant.module}.py").write_text(variant.source)
    gradebook = tmp_path / "out" / "gradebook.csv"
    batch.grade_all(classroom, gradebook, workers=2)
    rows = read(gradebook)
    assert len(rows) == len(list(classroom.iterdir()))
    assert {r["student"]: r["total"] for r in rows if r["total"] != "100"} == {}
