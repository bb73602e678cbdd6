"""Make the student kit's modules from the reference's, and a new assignment's skeleton.

A reference module marks its solution code with ``# BEGIN SOLUTION`` and
``# END SOLUTION`` lines. Inside a function the block becomes
``raise NotImplementedError(...)``; at module level (a private helper of the
solution) it is dropped. Everything else, docstrings and provided helpers
included, ships as written, so the two copies cannot drift apart.

The generated files are the stubs (``<module>.py`` in the assignment's folder) and
``points.json`` in its public tests (the points of each public test, for their
score summary). ``skeleton`` writes the smallest assignment that grades (``rnnlab new``).
"""

import json
import re
from pathlib import Path

from autograder.manifest import MANIFEST, Assignment

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION[ \t]*$")
_END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(?P<name>\w+)")

HEADER = (
    "# Generated from the reference by `rnnlab stubs`: fill in the functions that\n"
    "# raise NotImplementedError. Do not rename functions or change their signatures.\n"
)


class MarkerError(ValueError):
    """A reference module's solution markers are unbalanced."""


def strip_solutions(source: str, filename: str = "<source>") -> str:
    """Return ``source`` with every solution block replaced as described above."""
    out: list[str] = []
    function = None
    block_start = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        begin = _BEGIN.match(line)
        if block_start is None:
            if begin:
                block_start = number
                indent = begin["indent"]
                if indent:
                    name = function or "this function"
                    out.append(f'{indent}raise NotImplementedError("{name}: your code here")\n')
            elif _END.match(line):
                raise MarkerError(f"{filename}:{number}: END SOLUTION without BEGIN")
            else:
                if (found := _DEF.match(line)) is not None:
                    function = found["name"]
                out.append(line)
        elif begin:
            raise MarkerError(f"{filename}:{number}: BEGIN SOLUTION inside another block")
        elif _END.match(line):
            block_start = None
    if block_start is not None:
        raise MarkerError(f"{filename}:{block_start}: BEGIN SOLUTION is never closed")
    return "".join(out)


def render(reference_dir: Path, name: str) -> str:
    """The student stub for module ``name``, as text."""
    path = reference_dir / f"{name}.py"
    return HEADER + strip_solutions(path.read_text(), str(path))


HIDDEN = "tests/HIDDEN.md"
"""What else is graded: the hidden tests, their points and clauses (the kit lists them)."""
POINTS = "tests/points.json"
"""Where ``points.json`` goes in the kit: ``tests/`` is the public tests' folder there."""


def generated(assignment: Assignment) -> dict[str, str]:
    """Every generated file of the kit, its path in the kit -> text."""
    from autograder.results import hidden_summary  # results imports the grader: only here

    files = {f"{name}.py": render(assignment.reference, name) for name in assignment.modules}
    files[POINTS] = json.dumps(public_points(assignment), indent=2) + "\n"
    files[HIDDEN] = hidden_summary(assignment)
    return files


def public_points(assignment: Assignment) -> dict[str, float]:
    """``test_<module>.py::test_<id>`` -> points, for the public tests' score summary.

    Whole points are written as integers (``1``, not ``1.0``).
    """
    return {
        f"test_{q.module}.py::test_{t.id}": int(t.points) if t.points == int(t.points) else t.points
        for q in assignment.questions
        for t in q.tests
        if t.visibility == "public"
    }


def target(assignment: Assignment, relative: str) -> Path:
    """Where the generated file ``relative`` (a path in the kit) lives in the assignment."""
    folder, _, rest = relative.partition("/")
    if folder == "tests" and rest:
        return assignment.public_tests / rest
    return assignment.folder / relative


def write_stubs(assignment: Assignment) -> list[Path]:
    """Write the generated files into the assignment's folders; return the paths written."""
    written = []
    for relative, text in generated(assignment).items():
        path = target(assignment, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


def stale_stubs(assignment: Assignment) -> list[Path]:
    """The generated files of the assignment that are missing or differ from a fresh render."""
    stale = []
    for relative, text in generated(assignment).items():
        path = target(assignment, relative)
        if not path.is_file() or path.read_text() != text:
            stale.append(path)
    return stale


# -- a new assignment ------------------------------------------------------------------------

SKELETON_MODULE = "stats"
SKELETON_QUESTION = "mean"

_SKELETON_MANIFEST = """\
# The assignment, declared: its modules, questions, tests, points and who sees them, and
# what grading each question needs. Paths are relative to this file. Every key is in
# rnnlab's authoring guide (docs/pages/authoring.md).

[assignment]
name = {name}
title = {title}
reference = "../reference"                 # the solutions: never shipped
hidden_tests = "../reference/hidden_tests"  # hidden tests, <question id>.py: never shipped
public_tests = "tests"                     # public tests, test_<module>.py: shipped
requirements = []                          # what the kit (and grading) pip-installs

[profiles.default]
seconds = 30     # for all of one question's tests
memory_mb = 1024

[[questions]]
id = "{question}"
module = "{module}"
functions = ["mean"]
profile = "default"
tests.mean_of_three = {{ points = 1, visibility = "public", title = "mean([1, 2, 3]) is 2" }}
tests.mean_matches_reference = {{ points = 2, visibility = "hidden", title = "mean of floats" }}
"""

_SKELETON_REFERENCE = '''\
"""Descriptive statistics: the assignment's one module.

Students get this file with the code between the SOLUTION markers replaced by
``raise NotImplementedError`` (``rnnlab stubs``); everything else ships as written.
"""


def mean(values: list[float]) -> float:
    """The arithmetic mean of ``values``, a non-empty list of numbers."""
    # BEGIN SOLUTION
    return sum(values) / len(values)
    # END SOLUTION
'''

_SKELETON_PUBLIC_TEST = '''\
"""Public tests of {module}.py: shipped to students, and run by the grader too.

A public test ``test_<id>(sub)`` calls the student's modules as ``sub.<module>``.
"""


def test_mean_of_three(sub):
    assert sub.{module}.mean([1, 2, 3]) == 2
'''

_SKELETON_HIDDEN_TEST = '''\
"""Hidden tests of the ``{question}`` question: never shipped.

A hidden test ``<id>(sub, ref)`` gets the submission (run in a sandbox) and the
reference; every public function here must be a test the manifest declares.
"""

from hypothesis import given
from hypothesis import strategies as st

from autograder.authoring import expect, properties, student_call


def mean_matches_reference(sub, ref):
    @properties(40)
    @given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=20))
    def prop(values):
        what = f"mean({{values}})"
        got = student_call(what, lambda: sub.{module}.mean(values))
        mistakes = {{"dividing by n - 1": sum(values) / max(len(values) - 1, 1)}}
        expect(got, ref.{module}.mean(values), what, mistakes=mistakes)

    prop()
'''

_SKELETON_LOCAL = '''\
"""The student's modules, as the public tests see them, and a runner for the notebook's checks.

``Submission`` gives ``sub.<module>`` (the modules in the folder above this one, or in
$RNNLAB_IMPL). ``run`` runs one public test and says ``passed`` or what went wrong.
"""

import importlib
import os
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMPL = Path(os.environ.get("RNNLAB_IMPL", HERE.parent)).resolve()
for folder in (HERE, IMPL):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


class Submission:
    def __getattr__(self, module):
        return importlib.import_module(module)


def run(module: str, test: str) -> str:
    """Run ``test_<test>`` of ``test_<module>.py`` on the modules: ``passed`` or why not."""
    function = getattr(importlib.import_module(f"test_{module}"), f"test_{test}")
    try:
        function(Submission())
    except KeyboardInterrupt:
        raise
    except NotImplementedError as error:
        return f"not written yet: {error}"
    except BaseException as error:  # noqa: BLE001 - every failure becomes feedback
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = f"line {frame.lineno} of {Path(frame.filename).name}: {frame.line}"
        return f"{type(error).__name__}: {str(error) or 'assertion failed'}\\n  at {where}"
    return "passed"
'''

_SKELETON_CONFTEST = '''\
"""The ``sub`` fixture for ``pytest tests``, and the public tests' score at the end."""

import json
from pathlib import Path

import pytest
from local import Submission

POINTS = json.loads((Path(__file__).parent / "points.json").read_text())


@pytest.fixture(scope="session")
def sub():
    return Submission()


def pytest_terminal_summary(terminalreporter):
    passed = {
        f"{Path(r.nodeid.partition('::')[0]).name}::{r.nodeid.partition('::')[2]}"
        for r in terminalreporter.stats.get("passed", [])
        if r.when == "call"
    }
    score = sum(points for test, points in POINTS.items() if test in passed)
    terminalreporter.write_line(f"public checks: {score:g} / {sum(POINTS.values()):g} points")
'''


class SkeletonError(ValueError):
    """``rnnlab new`` would overwrite something."""


def skeleton(folder: Path, name: str | None = None, title: str | None = None) -> list[Path]:
    """Write the smallest assignment that grades into ``folder``; return the files written.

    ``folder/assignment/rnnlab.toml`` declares one question (a public and a hidden test)
    on one module, whose solution is ``folder/reference``'s; the stub and the public
    tests' points are generated from it. ``folder`` must not exist, or be empty.
    """
    from autograder import manifest

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SkeletonError(f"{folder} exists and is not an empty folder")
    name = name or folder.resolve().name or "assignment"
    module, question = SKELETON_MODULE, SKELETON_QUESTION
    fields = {"module": module, "question": question}
    files = {
        f"assignment/{MANIFEST}": _SKELETON_MANIFEST.format(
            name=json.dumps(name), title=json.dumps(title or name), **fields
        ),
        f"assignment/tests/test_{module}.py": _SKELETON_PUBLIC_TEST.format(**fields),
        "assignment/tests/local.py": _SKELETON_LOCAL,
        "assignment/tests/conftest.py": _SKELETON_CONFTEST,
        f"reference/{module}.py": _SKELETON_REFERENCE,
        f"reference/hidden_tests/{question}.py": _SKELETON_HIDDEN_TEST.format(**fields),
    }
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written + write_stubs(manifest.load(folder / "assignment"))
