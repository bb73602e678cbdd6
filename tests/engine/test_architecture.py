"""The layout's rules that the import contract (pyproject.toml, ``lint-imports``) cannot see:
no private name crosses a package, from the engine or from the tests."""

import ast
import importlib.util
from pathlib import Path

import pytest

from autograder import ROOT

ENGINE = ROOT / "autograder"
INSIDE = ENGINE / "sandbox" / "inside"
OURS = ("autograder", "data", "reference")
"""The project's packages whose private names stay inside them."""


def _package(module: str) -> str:
    """``autograder.batch.local`` -> ``autograder.batch``; a top-level module is its own."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def crossings(path: Path, here: str) -> list[str]:
    """Private names of another package's modules that the file at ``path`` uses."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: dict[str, str] = {}  # local name -> engine module it is bound to
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OURS):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if _is_module(full):
                    modules[alias.asname or alias.name] = full
                elif _private(alias.name) and _package(node.module) != here:
                    found.append(f"line {node.lineno}: {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(OURS) and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
            and _package(modules[node.value.id]) != here
        ):
            found.append(f"line {node.lineno}: {modules[node.value.id]}.{node.attr}")
    return found


def _engine_files() -> list[Path]:
    return [p for p in sorted(ENGINE.rglob("*.py")) if not p.is_relative_to(INSIDE)]


@pytest.mark.parametrize("path", _engine_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_engine_module_uses_another_packages_private_names(path):
    assert crossings(path, _package(_module_name(path))) == []


def test_no_test_uses_a_private_name_of_the_project():
    tests = sorted((ROOT / "tests").rglob("test_*.py"))
    found = {str(p.relative_to(ROOT)): crossings(p, "tests") for p in tests}
    assert {path: names for path, names in found.items() if names} == {}


def test_the_check_sees_a_private_name_crossing(tmp_path):
    offender = tmp_path / "offender.py"
    offender.write_text(
        "from autograder.sandbox import warm\n"
        "from autograder.formats.gradebook import _not_there\n"
        "warm._zygotes\n"
    )
    assert crossings(offender, "autograder.batch") == [
        "line 2: autograder.formats.gradebook._not_there",
        "line 3: autograder.sandbox.warm._zygotes",
    ]
    assert crossings(offender, "autograder.sandbox") == [  # its own package: allowed
        "line 2: autograder.formats.gradebook._not_there"
    ]


LONG = 500
"""Lines past which a module says, in its docstring, why it is one module."""


@pytest.mark.parametrize("folder", ["autograder", "assignment", "reference", "data"])
def test_a_long_module_says_why_it_is_one(folder):
    long = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > LONG and "Why one" not in doc:
            long[str(path.relative_to(ROOT))] = lines
    assert long == {}


LAYOUT = ("engine", "lab", "system", "security")
"""The folders of tests/ (tests/README.md); CI's two streams split the slow suite by them."""


def test_every_test_file_is_in_a_folder_of_the_layout():
    tests = ROOT / "tests"
    stray = [
        str(path.relative_to(tests))
        for path in sorted(tests.rglob("test_*.py"))
        if path.relative_to(tests).parts[0] not in LAYOUT
        and not path.is_relative_to(tests / "submissions")
        and not path.is_relative_to(tests / "assignments")
    ]
    assert stray == []
