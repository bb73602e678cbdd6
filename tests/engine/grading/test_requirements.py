"""An assignment's requirements are asked for before anything is graded, and a grader that
lacks one says which in one line instead of charging students for it."""

import shutil
from pathlib import Path

import pytest

from autograder.batch import local as batch
from autograder.cli import main
from autograder.formats import manifest
from autograder.grading import requirements

SOFTMAX = Path(__file__).parents[2] / "assignments" / "softmax"
ABSENT = "rnnlab-no-such-package-anywhere>=1"


def test_what_is_missing_is_named_with_why():
    assert requirements.missing(["numpy>=1", "pytest"]) == []
    assert requirements.missing([ABSENT]) == [f"{ABSENT} (not installed)"]
    [too_old] = requirements.missing(["numpy>=9999"])
    assert too_old.startswith("numpy>=9999 (") and too_old.endswith(" installed)")


def test_a_marker_that_excludes_this_python_asks_for_nothing():
    assert requirements.missing([f'{ABSENT}; python_version < "3"']) == []


@pytest.fixture
def needs_absent(tmp_path, own_assignment):
    """A copy of the second assignment that needs a package no Python has."""
    copy = tmp_path / "softmax"
    shutil.copytree(SOFTMAX, copy)
    path = copy / "assignment" / "rnnlab.toml"
    text = path.read_text()
    assert 'requirements = ["numpy>=1.26"]' in text
    path.write_text(text.replace('requirements = ["numpy>=1.26"]', f'requirements = ["{ABSENT}"]'))
    return copy / "assignment"


@pytest.mark.parametrize("command", ["grade", "check", "validate"])
def test_a_command_refuses_in_one_line_before_grading(needs_absent, command, capsys):
    target = [] if command == "validate" else [str(needs_absent.parent / "reference")]
    assert main(["--assignment", str(needs_absent), command, *target]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{ABSENT} (not installed)" in err and "nothing was graded" in err


def test_grade_all_writes_nothing_without_the_requirements(needs_absent, tmp_path):
    classroom = tmp_path / "class"
    shutil.copytree(needs_absent.parent / "reference", classroom / "ada")
    gradebook = tmp_path / "out" / "gradebook.csv"
    with pytest.raises(requirements.RequirementsError, match="not installed"):
        batch.grade_all(classroom, gradebook, assignment=manifest.load(needs_absent))
    assert not gradebook.parent.exists()
