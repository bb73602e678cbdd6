"""Every file the grader writes about students is its own user's alone, in every tier and
whatever the umask: the gradebook and its log, ``results/``, the reports, similarity, the
exports and a grader-error log (0600, in folders it made 0700). A submission that runs as
another user, or anyone else on the machine, reads none of them."""

import os
import shutil
import stat
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.formats.files import PRIVATE, PRIVATE_FOLDER, append_private, write_atomic
from autograder.sandbox import available_tiers

pytestmark = pytest.mark.slow

SOFTMAX = Path(__file__).parents[1] / "assignments" / "softmax" / "assignment"


@pytest.fixture
def open_umask():
    """A umask that takes nothing away: what the grader makes private, it makes so itself."""
    saved = os.umask(0)
    yield
    os.umask(saved)


def loose(folder: Path) -> list[str]:
    """What below ``folder`` (itself included) others may read, write or enter."""
    found = []
    for path in [folder, *sorted(folder.rglob("*"))]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(folder.parent)} {mode:o}")
    return found


def test_a_private_file_and_its_new_folders_are_private_whatever_the_umask(tmp_path, open_umask):
    shared = tmp_path / "shared"  # the instructor's own folder
    shared.mkdir(mode=0o755)
    write_atomic(shared / "made" / "deeper" / "results.json", "{}")
    append_private(shared / "made" / "batch.log", "a line\n")
    assert stat.S_IMODE((shared / "made" / "batch.log").stat().st_mode) == PRIVATE
    assert stat.S_IMODE((shared / "made" / "deeper").stat().st_mode) == PRIVATE_FOLDER
    assert loose(shared / "made") == []
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # a folder it did not make: as it was


@pytest.mark.parametrize("tier", available_tiers())
def test_a_finished_batch_s_outputs_are_private(tier, tmp_path, open_umask, own_assignment):
    pytest.importorskip("copydetect")
    os.environ["RNNLAB_SANDBOX"] = tier
    try:
        classroom = tmp_path / "class"
        for name, source in (("ann", "reference"), ("ben", "assignment"), ("cy", "reference")):
            (classroom / name).mkdir(parents=True)
            shutil.copy(SOFTMAX.parent / source / "softmax.py", classroom / name / "softmax.py")
        (classroom / "cy" / "softmax.py").write_text("raise SystemExit(3)\n")  # a crash: 0
        out = tmp_path / "grades"
        gradebook = out / "gradebook.csv"
        on = ["--assignment", str(SOFTMAX)]
        assert main([*on, "grade-all", str(classroom), "-o", str(gradebook), "--similarity"]) == 0
        assert main([*on, "report", str(gradebook)]) == 0
        assert main([*on, "regrade", str(gradebook)]) == 0
        canvas = ["export", "canvas", str(gradebook), "-o", str(out / "canvas.csv")]
        assert main([*on, *canvas, "--assignment-name", "Softmax"]) == 0
        assert main([*on, "export", "csv", str(gradebook), "-o", str(out / "long.csv")]) == 0
    finally:
        os.environ.pop("RNNLAB_SANDBOX", None)
    made = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    expected = {
        "gradebook.csv",
        "gradebook.csv.log",
        "pass_rates.png",
        "results/ann.json",
        "reports/class.html",
        "reports/students/ann.html",
        "reports/similarity.json",
        "canvas.csv",
        "long.csv",
    }
    assert expected <= made
    assert loose(out) == []
