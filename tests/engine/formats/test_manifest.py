"""The manifest: an assignment declared as data, checked before grading, and an engine
that names nothing of any assignment."""

import re
import shutil
import tokenize
from pathlib import Path

import pytest

from autograder import ROOT
from autograder.formats import manifest
from autograder.formats.manifest import ManifestError
from autograder.grading.grade import grade

SOFTMAX = Path(__file__).parents[2] / "assignments" / "softmax"


@pytest.fixture
def softmax_copy(tmp_path) -> Path:
    """A copy of the second assignment to break; returns its manifest."""
    shutil.copytree(SOFTMAX, tmp_path / "softmax", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "softmax" / "assignment" / "rnnlab.toml"


def test_the_lab_and_the_second_assignment_load_and_check():
    for path, total in ((ROOT / "assignment", 100), (SOFTMAX / "assignment", 17)):
        assignment = manifest.load(path)
        manifest.check(assignment)
        assert assignment.total == total
        assert assignment.folder == path


@pytest.mark.parametrize(
    "edit, key",
    [
        (('name = "softmax"', 'name = ""'), "assignment.name"),
        (("seconds = 20", 'seconds = "20"'), "profiles.numpy.seconds"),
        (("seconds = 20", 'seconds = 20\ncolour = "red"'), "profiles.numpy.colour"),
        (('profile = "numpy"', 'profile = "gpu"'), "questions[1] (softmax_forward).profile"),
        (('visibility = "public"', 'visibility = "secret"'), "rows_sum_to_one.visibility"),
        (("total = 17", "total = 18"), "assignment.total"),
        (
            ('hidden_tests = "../reference/hidden_tests"', 'hidden_tests = "../nowhere"'),
            "assignment.hidden_tests",
        ),
        (("[[questions]]", "[[questons]]"), "questons"),
        (('id = "softmax_forward"', 'id = "softmax forward"'), "questions[1].id"),
        (("points = 1,", "points = -1,"), "points"),
        (("total = 17", 'total = 17\nhidden_visibility = "never"'), "assignment.hidden_visibility"),
        (("total = 17", "total = 17\nrequire_public = 1"), "assignment.require_public"),
        (("total = 17", "total = 17\nrequire_public = true"), "softmax_matches_reference.public"),
        (
            ('"softmax on random logits" }', '"softmax on random logits", public = "nope" }'),
            "(softmax_forward).tests.softmax_matches_reference.public",
        ),
        (  # a public test of the other question
            (
                '"softmax on random logits" }',
                '"softmax on random logits", public = "gradient_shape" }',
            ),
            "softmax_matches_reference.public",
        ),
        (
            ('"softmax on random logits" }', '"softmax on random logits", public = [] }'),
            "softmax_matches_reference.public",
        ),
        (
            ('distributions" }', 'distributions", public = "uniform_logits_give_log_c" }'),
            "rows_sum_to_one.public",
        ),
        (
            (
                '"softmax on random logits" }',
                '"softmax on random logits", hidden_visibility = "soon" }',
            ),
            "softmax_matches_reference.hidden_visibility",
        ),
        (
            ('distributions" }', 'distributions", hidden_visibility = "hidden" }'),
            "rows_sum_to_one.hidden_visibility",
        ),
    ],
)
def test_a_mistake_names_the_file_and_the_key(softmax_copy, edit, key):
    text = softmax_copy.read_text()
    assert edit[0] in text
    softmax_copy.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(ManifestError) as caught:
        manifest.load(softmax_copy)
    assert str(softmax_copy.resolve()) in str(caught.value)
    assert key in str(caught.value)


def test_a_hidden_test_names_its_public_tests_and_when_it_is_shown(softmax_copy):
    text = softmax_copy.read_text().replace(
        '"softmax on random logits" }',
        '"softmax on random logits", public = ["rows_sum_to_one"], hidden_visibility = "hidden" }',
    )
    softmax_copy.write_text(text.replace("total = 17", 'total = 17\nhidden_visibility = "public"'))
    tests = {t.id: t for q in manifest.load(softmax_copy).questions for t in q.tests}
    assert tests["softmax_matches_reference"].public == ("rows_sum_to_one",)
    assert tests["softmax_matches_reference"].shown == "hidden"  # its own, over the default
    assert tests["stable_for_large_logits"].public == ()
    assert tests["stable_for_large_logits"].shown == "public"  # the assignment's
    assert tests["rows_sum_to_one"].shown == "public"  # a public test


def test_hidden_tests_are_pass_fail_now_unless_the_manifest_says():
    tests = [t for q in manifest.load(SOFTMAX / "assignment").questions for t in q.tests]
    assert {t.shown for t in tests if t.visibility == "hidden"} == {"pass_fail_now"}


def test_not_toml_is_a_clear_error(softmax_copy):
    softmax_copy.write_text("[assignment\nname = 1")
    with pytest.raises(ManifestError, match="not valid TOML"):
        manifest.load(softmax_copy)


def test_check_finds_a_test_without_its_function(softmax_copy):
    hidden = softmax_copy.parent.parent / "reference" / "hidden_tests" / "softmax_gradient.py"
    hidden.write_text(hidden.read_text().replace("def gradient_matches_reference(", "def _x("))
    with pytest.raises(ManifestError, match="gradient_matches_reference"):
        manifest.check(manifest.load(softmax_copy))


def test_check_finds_a_function_the_rubric_does_not_have(softmax_copy):
    hidden = softmax_copy.parent.parent / "reference" / "hidden_tests" / "softmax_forward.py"
    hidden.write_text(hidden.read_text() + "\n\ndef forgotten(sub, ref):\n    pass\n")
    with pytest.raises(ManifestError, match="forgotten"):
        manifest.check(manifest.load(softmax_copy))


def test_check_finds_a_missing_public_test(softmax_copy):
    public = softmax_copy.parent / "tests" / "test_softmax.py"
    public.write_text(public.read_text().replace("def test_gradient_shape(", "def test_other("))
    with pytest.raises(ManifestError, match="test_gradient_shape"):
        manifest.check(manifest.load(softmax_copy))


# -- the second assignment, graded by the same engine ------------------------------------------


def by_question(report) -> dict[str, float]:
    return {q: sum(o.score for o in outcomes) for q, outcomes in report.by_question().items()}


def test_the_second_assignment_grades():
    assignment = manifest.load(SOFTMAX / "assignment")
    full = grade(assignment.reference, assignment=assignment)
    assert full.score == 17 and full.grader_errors == []
    stubs = grade(assignment.folder, assignment=assignment)
    assert stubs.score == 0
    assert all("NotImplementedError" in o.output for o in stubs.outcomes)


def test_a_bug_in_the_second_assignment_costs_its_question(tmp_path):
    assignment = manifest.load(SOFTMAX / "assignment")
    source = (assignment.reference / "softmax.py").read_text()
    buggy = source.replace("return dz / len(z)", "return dz")  # the gradient without / N
    assert buggy != source
    (tmp_path / "softmax.py").write_text(buggy)
    scores = by_question(grade(tmp_path, assignment=assignment))
    assert scores["softmax_forward"] == 10
    assert scores["softmax_gradient"] < 7


# -- the engine knows no assignment ------------------------------------------------------------

LAB_WORDS = {"tensorflow", "keras", "tf"}


def lab_words() -> set[str]:
    lab = manifest.load(ROOT / "assignment")
    return LAB_WORDS | {q.id for q in lab.questions} | set(lab.modules)


def named(path: Path, words: set[str]) -> list[str]:
    """Where a name, string or comment in ``path`` has one of ``words`` (case-insensitive)."""
    found = []
    with tokenize.open(path) as file:
        for token in tokenize.generate_tokens(file.readline):
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", token.string):
                if word.lower() in words:
                    found.append(f"{path}:{token.start[0]}: {word}")
    return found


def test_the_engine_names_nothing_of_the_lab():
    words = lab_words()
    found = [
        hit for path in sorted((ROOT / "autograder").rglob("*.py")) for hit in named(path, words)
    ]
    assert found == []


def test_the_scan_finds_a_lab_word(tmp_path):
    path = tmp_path / "engine.py"
    path.write_text(
        '"""Grades."""\nimport numpy\n\nPRELOAD = ("tensorflow",)  # the lstm question\n'
    )
    assert [hit.rsplit(" ", 1)[1] for hit in named(path, lab_words())] == ["tensorflow", "lstm"]
