"""The second assignment (tests/assignments/softmax) through every path the lab takes:
graded, built into a kit and an otter zip that ``otter run`` grades, and mutation-tested,
by the same engine and no file of it changed."""

import zipfile
from pathlib import Path

import pytest
from test_kit import bare_kit_works
from test_otter import otter_run  # noqa: E402

from autograder import mutate
from autograder.formats import manifest
from autograder.kit.build import build

SOFTMAX = manifest.load(Path(__file__).parents[1] / "assignments" / "softmax" / "assignment")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"), SOFTMAX)


def test_its_kit_works_in_a_fresh_environment(dist, tmp_path):
    bare_kit_works(dist["student.zip"], SOFTMAX, tmp_path)


def test_its_kit_holds_its_stub_and_public_tests_only(dist):
    kit = dist["student"]
    assert (kit / "softmax.py").read_text() == (SOFTMAX.folder / "softmax.py").read_text()
    assert (kit / "tests" / "test_softmax.py").is_file()
    shipped = "\n".join(p.read_text() for p in kit.rglob("*.py"))
    assert "def softmax_matches_reference" not in shipped  # a hidden test's name


@pytest.mark.parametrize("source, score", [("reference", 17), ("stub", 0)])
def test_otter_run_grades_it_from_its_own_zip(dist, tmp_path, source, score):
    folder = SOFTMAX.reference if source == "reference" else SOFTMAX.folder
    submission = tmp_path / "submission.zip"
    with zipfile.ZipFile(submission, "w") as archive:
        archive.write(folder / "softmax.py", "softmax.py")
    written = otter_run(dist["autograder.zip"], submission, tmp_path / "otter")
    assert written["score"] == score
    assert {t["name"].split(":")[0] for t in written["tests"]} == {
        "softmax_forward",
        "softmax_gradient",
    }


def test_its_mutants_are_killed():
    mutants = mutate.generate(assignment=SOFTMAX)
    results = mutate.run(mutants, workers=2, assignment=SOFTMAX)
    table = mutate.counts(mutants, results)
    assert len(mutants) >= 20
    assert sum(c.grader_fault + c.leak for c in table.values()) == 0
    survived = [r.mutant.id for r in results if r.status == "survived"]
    killable = sum(c.graded - c.equivalent for c in table.values())
    assert sum(c.killed for c in table.values()) >= 0.9 * killable, survived
