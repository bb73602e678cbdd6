"""Hidden tests against wrong answers: each must give a verdict, never a grader error.

``wrong_answers.fragile`` runs every hidden test with a stand-in whose functions give one
wrong answer after another; ``rnnlab validate`` lists the tests that crashed.
"""

import textwrap

import numpy as np
import pytest

from autograder import ROOT
from autograder.formats import manifest
from autograder.formats.manifest import current as current_assignment
from autograder.kit import skeleton
from autograder.mutate import wrong_answers
from autograder.sandbox import StudentError

LAB = current_assignment()
SOFTMAX = ROOT / "tests" / "assignments" / "softmax" / "assignment"

FRAGILE = """
from autograder.authoring import CheckFailure


def mean_matches_reference(sub, ref):
    got = sub.stats.mean([1.0, 2.0])
    if abs(got - 1.5) > 1e-9:  # abs(None - 1.5): a TypeError, not a verdict
        raise CheckFailure(f"mean([1.0, 2.0]) gave {got}")
"""


@pytest.fixture
def fragile_assignment(tmp_path):
    """``rnnlab new``'s skeleton, its hidden test made to crash on a ``None``."""
    skeleton.skeleton(tmp_path / "course")
    hidden = tmp_path / "course" / "reference" / "hidden_tests" / f"{skeleton.SKELETON_QUESTION}.py"
    hidden.write_text(textwrap.dedent(FRAGILE))
    return manifest.load(tmp_path / "course" / "assignment")


def test_a_hidden_test_that_crashes_on_a_wrong_answer_is_listed(fragile_assignment):
    found, runs = wrong_answers.fragile(fragile_assignment)
    assert runs == len(wrong_answers.WRONG_ANSWERS)
    assert [(f.question, f.test) for f in found] == [("mean", "mean_matches_reference")]
    (crash,) = found
    assert crash.error.startswith("TypeError: unsupported operand")
    assert crash.where == "mean.py:7"
    assert "None" in crash.answers and "a string" in crash.answers
    assert "raising RuntimeError" not in crash.answers  # a raise is the student's: a verdict


def test_the_skeletons_own_hidden_test_survives_every_wrong_answer(tmp_path):
    skeleton.skeleton(tmp_path / "course")
    assert wrong_answers.fragile(manifest.load(tmp_path / "course" / "assignment"))[0] == []


@pytest.mark.parametrize("assignment", [LAB, manifest.load(SOFTMAX)], ids=lambda a: a.name)
def test_every_hidden_test_of_the_lab_and_the_softmax_assignment_gives_a_verdict(assignment):
    found, runs = wrong_answers.fragile(assignment)
    assert [(f.question, f.test, f.error, f.answers) for f in found] == []
    hidden = sum(t.visibility == "hidden" for q in assignment.questions for t in q.tests)
    assert runs >= hidden


def test_the_odd_tuple_of_split_data_gets_a_verdict_from_every_splits_test():
    """The two checks that crashed on it: "split sizes" (TypeError) and "the parts put back
    together" (ValueError)."""
    odd = [a for a in wrong_answers.WRONG_ANSWERS if a.name.startswith("odd values")]
    assert odd[0].make(None) is wrong_answers.ODD
    assert wrong_answers.fragile(LAB, [LAB.question("splits")], odd) == ([], 4)


def test_the_stand_in_answers_wrong_for_its_question_only():
    softmax = manifest.load(SOFTMAX)
    question = softmax.question("softmax_gradient")
    plus_one = next(a for a in wrong_answers.WRONG_ANSWERS if "plus one" in a.name)
    sub = wrong_answers.StandIn(softmax, question, plus_one)
    z, y = np.array([[1.0, 2.0], [0.5, 0.0]]), np.array([1, 0])
    from_reference = wrong_answers.reference(softmax).softmax
    # another question's function on the module is the reference's, as in grading
    assert np.allclose(sub.softmax.softmax(z), from_reference.softmax(z))
    assert np.allclose(
        sub.softmax.cross_entropy_grad(z, y), from_reference.cross_entropy_grad(z, y) + 1
    )
    assert sub.asked
    with pytest.raises(StudentError):
        sub.probe.describe({})
    with pytest.raises(AttributeError):
        sub.not_its_module  # noqa: B018


def test_derived_answers_keep_the_structure_and_change_shapes_and_kinds():
    right = (np.arange(6.0).reshape(3, 2), np.arange(3), 2.5)
    made = {a.name: a.make(right) for a in wrong_answers.WRONG_ANSWERS if a.derived}
    assert np.isnan(made["the answer with every number NaN"][0]).all()
    assert made["the answer with arrays a row short"][0].shape == (2, 2)
    assert made["the answer with arrays an axis more"][1].shape == (1, 3)
    swapped = made["the answer with ints as floats and floats as ints"]
    assert (swapped[0].dtype.kind, swapped[1].dtype.kind, type(swapped[2])) == ("i", "f", int)
    assert len(made["the answer with a part missing"]) == 2
    assert made["the answer with each part None"] == (None, None, None)
    assert [p.shape for p in made["the answer with everything empty"][:2]] == [(0, 2), (0,)]


def test_a_hidden_test_that_never_ends_on_a_wrong_answer_is_stopped_and_listed(tmp_path):
    skeleton.skeleton(tmp_path / "course")
    hidden = tmp_path / "course" / "reference" / "hidden_tests" / f"{skeleton.SKELETON_QUESTION}.py"
    hidden.write_text(
        "def mean_matches_reference(sub, ref):\n"
        "    while sub.stats.mean([1.0, 2.0]) != 1.5:  # None never is\n"
        "        pass\n"
    )
    assignment = manifest.load(tmp_path / "course" / "assignment")
    none = [a for a in wrong_answers.WRONG_ANSWERS if a.name == "None"]
    (crash,), runs = wrong_answers.fragile(assignment, answers=none, seconds=0.5)
    assert runs == 1 and crash.answers == ["None"]
    assert (
        crash.error == "autograder.mutate.wrong_answers.TooLong: more than 0.5 s on a wrong answer"
    )
