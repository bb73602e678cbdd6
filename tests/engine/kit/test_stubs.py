"""The student kit: stubs generated from the reference, and public tests that bite."""

import inspect
import os
import re
import subprocess
import sys

import pytest

from autograder import ROOT, impl
from autograder.formats.manifest import current as current_assignment
from autograder.kit import stubs

LAB = current_assignment()


REFERENCE, ASSIGNMENT = ROOT / "reference", ROOT / "assignment"


def test_solution_blocks_become_raises_or_vanish():
    source = (
        "import x\n"
        "# BEGIN SOLUTION\n"
        "def _helper():\n"
        "    return 1\n"
        "# END SOLUTION\n"
        "def f(a):\n"
        '    """Doc."""\n'
        "    # BEGIN SOLUTION\n"
        "    return _helper() + a\n"
        "    # END SOLUTION\n"
        "def g():\n"
        "    return 2\n"
    )
    assert stubs.strip_solutions(source) == (
        "import x\n"
        "def f(a):\n"
        '    """Doc."""\n'
        '    raise NotImplementedError("f: your code here")\n'
        "def g():\n"
        "    return 2\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        "    # BEGIN SOLUTION\n    x = 1\n",
        "    # END SOLUTION\n",
        "    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    # END SOLUTION\n",
    ],
)
def test_unbalanced_markers_are_refused(source):
    with pytest.raises(stubs.MarkerError):
        stubs.strip_solutions(source, "m.py")


def test_assignment_is_generated_from_the_reference():
    assert stubs.stale_stubs(LAB) == [], "run `rnnlab stubs`"


def test_stubs_contain_no_solution_code():
    for name in LAB.modules:
        text = (ASSIGNMENT / f"{name}.py").read_text()
        assert "SOLUTION" not in text


@pytest.mark.parametrize("question", LAB.questions, ids=lambda q: q.id)
def test_every_graded_stub_raises_not_implemented(question):
    module = getattr(impl.load("assignment", (question.module,)), question.module)
    for name in question.functions:
        function = getattr(module, name)
        required = [
            p for p in inspect.signature(function).parameters.values() if p.default is p.empty
        ]
        with pytest.raises(NotImplementedError, match=name):
            function(*[None] * len(required))


def run_public_tests(folder: str) -> str:
    """Run the kit's public tests on ``folder``; return pytest's summary line."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ASSIGNMENT / "tests"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
        ],
        env={**os.environ, "RNNLAB_IMPL": str(ROOT / folder)},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    return result.stdout.strip().splitlines()[-1]


def test_public_tests_pass_on_the_reference():
    summary = run_public_tests("reference")
    assert re.fullmatch(r"\d+ passed in .*", summary), summary


def test_public_tests_all_fail_on_the_stubs():
    summary = run_public_tests("assignment")
    assert re.fullmatch(r"\d+ failed in .*", summary), summary
