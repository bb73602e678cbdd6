"""Make the student kit's modules from the reference's.

A reference module marks its solution code with ``# BEGIN SOLUTION`` and
``# END SOLUTION`` lines. Inside a function the block becomes
``raise NotImplementedError(...)``; at module level (a private helper of the
solution) it is dropped. Everything else, docstrings and provided helpers
included, ships as written, so the two copies cannot drift apart.

The generated files are the stubs (``<module>.py`` in the assignment's folder) and, in
its public tests, ``points.json`` (the points of each public test, for their score
summary), ``HIDDEN.md`` (the hidden tests) and ``rnnlab_check.py`` (the notebook's
``grader.check``: rnnlab's, see its docstring).
"""

import json
import re
from pathlib import Path

from autograder.formats.manifest import Assignment
from autograder.kit import templates
from autograder.kit.hidden_list import hidden_summary

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
CHECKS = "tests/rnnlab_check.py"
"""The notebook's ``grader.check`` and the public tests' default runner, the same in every
kit: otter's OK tests import it by this name (``CHECKS_MODULE``)."""
CHECKS_MODULE = Path(CHECKS).stem


def generated(assignment: Assignment) -> dict[str, str]:
    """Every generated file of the kit, its path in the kit -> text."""
    files = {f"{name}.py": render(assignment.reference, name) for name in assignment.modules}
    files[POINTS] = json.dumps(public_points(assignment), indent=2) + "\n"
    files[HIDDEN] = hidden_summary(assignment)
    files[CHECKS] = templates.read("kit/rnnlab_check.py")
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
