"""``HIDDEN.md`` and the notebook's check summaries count in good English: one point, two points."""

import re

import pytest

from autograder.formats import manifest
from autograder.kit.build import student_ok_tests
from autograder.kit.hidden_list import hidden_summary
from autograder.kit.skeleton import skeleton


def new_assignment(folder, hidden_points: int):
    """``rnnlab new``'s assignment (one public test of 1 point, one hidden test), its hidden
    test worth ``hidden_points``."""
    skeleton(folder)
    path = folder / "assignment" / "rnnlab.toml"
    text = path.read_text()
    declared = re.search(r"tests\.\w+ = \{ points = (\d+), visibility = \"hidden\"", text)
    assert declared, "the skeleton declares one hidden test"
    start, end = declared.span(1)
    path.write_text(text[:start] + str(hidden_points) + text[end:])
    return manifest.load(path)


def intro(text: str) -> str:
    return " ".join(text.split("\n\n")[1].split())


@pytest.mark.parametrize("hidden", [1, 2])
def test_hidden_md_counts_one_point_and_one_test_in_the_singular(tmp_path, hidden):
    assignment = new_assignment(tmp_path / "new", hidden)
    said = intro(hidden_summary(assignment))
    assert "carry 1 point;" in said
    more = "1 more point is" if hidden == 1 else f"{hidden} more points are"
    assert f"after you submit, {more} graded by the hidden test below." in said
    assert not re.search(r"\b1 (more )?points\b", said)


def test_the_notebook_s_checks_count_one_point_in_the_singular(tmp_path):
    assignment = new_assignment(tmp_path / "new", 1)
    namespace: dict = {}
    exec(student_ok_tests(assignment)[f"{assignment.questions[0].id}.py"], namespace)
    summary = namespace["test"]["suites"][0]["cases"][-1]["success_message"]
    assert "1 of the 1 public point;" in summary
    assert "1 more point is graded by hidden tests after you submit" in summary
    assert not re.search(r"\b1 (more |public )?points\b", summary)
