"""Grading a class: the gradebook, resuming after a kill, pass rates."""

import csv
import os
import signal
import subprocess
import sys
import time
import zipfile

import submissions

from autograder import ROOT, batch


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


def read(gradebook):
    with gradebook.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_discover_names_students_by_file_or_folder(tmp_path):
    entries = batch.discover(make_class(tmp_path / "class"))
    assert [e.student for e in entries] == ["alice", "bob", "carol", "dave"]


def test_grade_all_writes_a_row_and_results_per_student(tmp_path):
    gradebook = tmp_path / "out" / "gradebook.csv"
    batch.grade_all(make_class(tmp_path / "class"), gradebook, workers=2)
    rows = {r["student"]: r for r in read(gradebook)}
    assert list(read(gradebook)[0]) == batch.columns()
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert rows["carol"]["total"] == "100" and rows["carol"]["status"] == "graded"
    assert rows["alice"]["padding"] == "5" and rows["alice"]["total"] == "95"
    assert rows["bob"]["vocab"] == "0" and rows["dave"]["total"] == "0"
    assert all(r["status"] == "graded" for r in rows.values())
    assert sorted(p.stem for p in (tmp_path / "out" / "results").glob("*.json")) == sorted(rows)
    rates = {
        name: (passed, graded)
        for name, passed, graded in batch.pass_rates(tmp_path / "out" / "results")
    }
    assert rates["padding: the lab sheet's [117, 18, 128] row"] == (1, 4)
    assert batch.pass_rates(tmp_path / "out" / "results")[0][1] <= 1  # most failed first
    batch.plot_pass_rates(batch.pass_rates(tmp_path / "out" / "results"), tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_a_killed_batch_keeps_its_rows_and_resumes(tmp_path):
    classroom = make_class(tmp_path / "class")
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
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not gradebook.exists() or len(read(gradebook)) < 1):
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = read(gradebook)
    assert 1 <= len(kept) < 4, "the kill should land half way"
    batch.grade_all(classroom, gradebook, resume=True)
    rows = read(gradebook)
    assert rows[: len(kept)] == kept
    assert sorted(r["student"] for r in rows) == ["alice", "bob", "carol", "dave"]
    leftover = subprocess.run(["pgrep", "-f", str(scratch)], capture_output=True)
    assert leftover.stdout == b""
