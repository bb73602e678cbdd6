"""Make the student kit's modules from the reference's.

A reference module marks its solution code with ``# BEGIN SOLUTION`` and
``# END SOLUTION`` lines. Inside a function the block becomes
``raise NotImplementedError(...)``; at module level (a private helper of the
solution) it is dropped. Everything else, docstrings and provided helpers
included, ships as written, so the two copies cannot drift apart.
"""

import json
import re
from pathlib import Path

from autograder.rubric import MODULES, QUESTIONS

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION[ \t]*$")
_END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(?P<name>\w+)")

HEADER = (
    "# Generated from reference/{name}.py by `rnnlab stubs`: fill in the functions that\n"
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
    return HEADER.format(name=name) + strip_solutions(path.read_text(), str(path))


PROBES = Path(__file__).parent / "sandbox" / "probes.py"
"""The graph probes, which the public LSTM tests call: copied to ``tests/probes.py``."""


def generated(reference_dir: Path) -> dict[str, str]:
    """Every generated file of the kit, relative path -> text."""
    files = {f"{name}.py": render(reference_dir, name) for name in MODULES}
    files["tests/probes.py"] = PROBES.read_text()
    files["tests/points.json"] = json.dumps(public_points(), indent=2) + "\n"
    return files


def public_points() -> dict[str, float]:
    """``test_<module>.py::test_<id>`` -> points, for the public tests' score summary."""
    return {
        f"test_{q.module}.py::test_{t.id}": t.points
        for q in QUESTIONS
        for t in q.tests
        if t.visibility == "public"
    }


def write_stubs(reference_dir: Path, assignment_dir: Path) -> list[Path]:
    """Write the generated files into ``assignment_dir``; return the paths written."""
    written = []
    for relative, text in generated(reference_dir).items():
        target = assignment_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        written.append(target)
    return written


def stale_stubs(reference_dir: Path, assignment_dir: Path) -> list[str]:
    """The generated files in ``assignment_dir`` that differ from a fresh render."""
    return [
        relative
        for relative, text in generated(reference_dir).items()
        if not (assignment_dir / relative).exists()
        or (assignment_dir / relative).read_text() != text
    ]
