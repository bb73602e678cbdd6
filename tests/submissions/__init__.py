"""The framework's own submissions: buggy ones (one known mistake each) and hostile ones.

A buggy submission is ``buggy/NAME.py``: replacement functions, a docstring
starting ``loses: QUESTION`` (and, when the grader knows the mistake, a line
``names: WORDS`` its feedback must contain), and the imports they need. It becomes the
reference with those functions swapped in, so it differs in one place. A
hostile submission is a folder ``hostile/NAME/`` of modules that replace the
stubs'.
"""

import ast
import shutil
from pathlib import Path

from autograder import ROOT, stubs
from autograder.rubric import MODULES, QUESTIONS

HERE = Path(__file__).parent
BUGGY = sorted((HERE / "buggy").glob("*.py"))
HOSTILE = sorted(p for p in (HERE / "hostile").iterdir() if p.is_dir())


def question_lost(bug: Path) -> str:
    """The question a buggy submission should lose points on (its docstring says)."""
    docstring = ast.get_docstring(ast.parse(bug.read_text())) or ""
    assert docstring.startswith("loses: "), f"{bug.name}: docstring must start 'loses: QUESTION'"
    return docstring.split()[1].rstrip(".")


def named_mistake(bug: Path) -> str | None:
    """The words the grader's feedback should use to name the mistake, if it knows it."""
    docstring = ast.get_docstring(ast.parse(bug.read_text())) or ""
    lines = [line for line in docstring.splitlines() if line.startswith("names: ")]
    return lines[0].removeprefix("names: ") if lines else None


def module_of(question_id: str) -> str:
    return next(q.module for q in QUESTIONS if q.id == question_id)


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


def buggy(bug: Path, dest: Path) -> Path:
    """Write the buggy submission ``bug`` into ``dest``; return ``dest``."""
    module = module_of(question_lost(bug))
    dest.mkdir(parents=True)
    for name in MODULES:
        shutil.copy(ROOT / "reference" / f"{name}.py", dest / f"{name}.py")
    target = dest / f"{module}.py"
    target.write_text(_splice(target.read_text(), bug.read_text()))
    return dest


def hostile(folder: Path, dest: Path) -> Path:
    """The stubs, with the hostile submission's modules in place of theirs."""
    dest.mkdir(parents=True)
    for name, text in stubs.generated(ROOT / "reference").items():
        if "/" not in name:
            (dest / name).write_text(text)
    for module in folder.glob("*.py"):
        shutil.copy(module, dest / module.name)
    return dest


def hostile_modules(folder: Path) -> list[str]:
    return [p.stem for p in folder.glob("*.py")]
