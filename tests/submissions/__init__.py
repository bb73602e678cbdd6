"""The framework's own submissions: buggy, alternative and hostile ones.

A buggy submission is ``buggy/NAME.py``: replacement functions, a docstring
starting ``loses: QUESTION`` (and, when the grader knows the mistake, a line
``names: WORDS`` its feedback must contain; a line ``fails: TEST ...`` lists
the tests of the clause it breaks, and any other test it fails must point to
one of them), and the imports they need. It
becomes the reference with those functions swapped in, so it differs in one
place. An alternative submission (``alternative/NAME.py``, ``loses: nothing``)
is a correct solution in another style, swapped in the same way. A hostile
submission is a folder ``hostile/NAME/`` of modules that replace the stubs'; a
module's docstring may have a line ``names: WORDS`` that the feedback of every
test must contain and a line ``hides: WORDS, ...`` of words no feedback may hold.
"""

import ast
import shutil
import zipfile
from pathlib import Path

from autograder import ROOT
from autograder.formats.manifest import current as current_assignment
from autograder.kit import stubs

LAB = current_assignment()


HERE = Path(__file__).parent
BUGGY = sorted((HERE / "buggy").glob("*.py"))
ALTERNATIVE = sorted((HERE / "alternative").glob("*.py"))
HOSTILE = sorted(p for p in (HERE / "hostile").iterdir() if p.is_dir())


def question_lost(bug: Path) -> str | None:
    """The question a submission should lose points on, None for "nothing" (its docstring says)."""
    docstring = ast.get_docstring(ast.parse(bug.read_text())) or ""
    assert docstring.startswith("loses: "), f"{bug.name}: docstring must start 'loses: ...'"
    lost = docstring.split()[1].rstrip(".")
    return None if lost == "nothing" else lost


def one_per_question(bugs: list[Path]) -> list[Path]:
    """The first of ``bugs`` (in name order) losing each question: a sample for the paths
    that carry verdicts rather than make them (otter, Gradescope's harness, a cluster)."""
    first: dict[str | None, Path] = {}
    for bug in sorted(bugs):
        first.setdefault(question_lost(bug), bug)
    return [first[q] for q in sorted(first, key=str)]


def named_mistake(bug: Path) -> str | None:
    """The words the grader's feedback should use to name the mistake, if it knows it."""
    docstring = ast.get_docstring(ast.parse(bug.read_text())) or ""
    lines = [line for line in docstring.splitlines() if line.startswith("names: ")]
    return lines[0].removeprefix("names: ") if lines else None


def tests_failed(bug: Path) -> set[str] | None:
    """The test ids of its own clause that a bug fails (its ``fails:`` line), if it says."""
    docstring = ast.get_docstring(ast.parse(bug.read_text())) or ""
    lines = [line for line in docstring.splitlines() if line.startswith("fails: ")]
    return set(lines[0].removeprefix("fails: ").split()) if lines else None


def _splice(source: str, replacement: str) -> str:
    """``source`` with each function defined in ``replacement`` replaced by that definition."""
    new = ast.parse(replacement)
    functions = {n.name: n for n in new.body if isinstance(n, ast.FunctionDef)}
    imports = [
        ast.get_source_segment(replacement, n)
        for n in new.body
        if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    lines = source.splitlines(keepends=True)
    for node in sorted(ast.parse(source).body, key=lambda n: -n.lineno):
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            body = ast.get_source_segment(replacement, functions.pop(node.name)) + "\n"
            lines[start : node.end_lineno] = [body]
    assert not functions, f"no such functions to replace: {sorted(functions)}"
    return "\n".join(imports) + "\n" + "".join(lines)


def _functions(source: str) -> set[str]:
    return {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


def modules_touched(fragment: Path) -> list[str]:
    """The reference modules that define the functions ``fragment`` replaces."""
    replaced = _functions(fragment.read_text())
    return [
        m
        for m in LAB.modules
        if _functions((ROOT / "reference" / f"{m}.py").read_text()) & replaced
    ]


def spliced(fragments: Path | list[Path], dest: Path) -> Path:
    """Write the reference, with the functions of ``fragments`` swapped in, into ``dest``."""
    dest.mkdir(parents=True)
    fragments = [fragments] if isinstance(fragments, Path) else fragments
    for name in LAB.modules:
        source = (ROOT / "reference" / f"{name}.py").read_text()
        for fragment in fragments:
            text = fragment.read_text()
            mine = _functions(source) & _functions(text)
            if mine:
                tree = ast.parse(text)
                tree.body = [
                    n for n in tree.body if not isinstance(n, ast.FunctionDef) or n.name in mine
                ]
                source = _splice(source, ast.unparse(tree))
        (dest / f"{name}.py").write_text(source)
    return dest


def packed(fragments: list[Path]) -> list[list[Path]]:
    """``fragments`` in as few groups as replace no function twice: a submission a group
    (the paths that carry verdicts grade all the alternatives in fewer runs)."""
    groups: list[tuple[list[Path], set[str]]] = []
    for fragment in sorted(fragments):
        replaced = _functions(fragment.read_text())
        group = next((g for g in groups if not g[1] & replaced), None)
        if group is None:
            groups.append(([fragment], set(replaced)))
        else:
            group[0].append(fragment)
            group[1].update(replaced)
    return [members for members, _ in groups]


def hostile(folder: Path, dest: Path) -> Path:
    """The stubs, with the hostile submission's modules in place of theirs."""
    dest.mkdir(parents=True)
    for name, text in stubs.generated(LAB).items():
        if "/" not in name:
            (dest / name).write_text(text)
    for module in folder.glob("*.py"):
        shutil.copy(module, dest / module.name)
    return dest


def hostile_modules(folder: Path) -> list[str]:
    return [p.stem for p in folder.glob("*.py")]


def hostile_feedback(folder: Path) -> tuple[list[str], list[str]]:
    """What every test's feedback on a hostile submission must say (``names:`` lines) and
    what no feedback may say (``hides:`` lines, comma-separated), from its modules."""
    names, hides = [], []
    for module in sorted(folder.glob("*.py")):
        docstring = ast.get_docstring(ast.parse(module.read_text())) or ""
        for line in docstring.splitlines():
            if line.startswith("names: "):
                names.append(line.removeprefix("names: "))
            elif line.startswith("hides: "):
                hides += [w.strip() for w in line.removeprefix("hides: ").split(",")]
    return names, hides


def export_zip(notebook: Path, modules: Path, target: Path) -> Path:
    """What the notebook's ``grader.export`` writes: the notebook beside the six modules."""
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(notebook, notebook.name)
        for module in LAB.modules:
            archive.write(modules / f"{module}.py", f"{module}.py")
    return target
