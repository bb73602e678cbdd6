"""Load Python files by path, under fresh private module names.

``load`` imports an implementation of the graded modules (the reference, or a
student's folder) for an assignment's own commands (its lab runs, say), which
execute the student's code in this process on purpose: that is the student's
own program. Grading never does this; it uses ``load_file`` only for the
instructor's files (the reference, the tests, the assignment's commands).
"""

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

from autograder.errors import RnnlabError

_loads = itertools.count()


def fresh_name(prefix: str) -> str:
    """A module name no load has used: ``prefix`` and a number."""
    return f"{prefix}{next(_loads)}"


def load_file(path: Path, name: str) -> ModuleType:
    """Execute the Python file ``path`` as module ``name`` (registered in ``sys.modules``).

    If it raises, the half-made module is not left registered.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


class ImplError(RnnlabError):
    """The implementation folder is missing or lacks a module."""


def resolve(impl: str | Path) -> Path:
    """The folder of ``impl``: ``reference`` and ``assignment`` are the current assignment's
    reference and stubs (``manifest.current()``); anything else is a path."""
    if str(impl) in ("reference", "assignment"):
        from autograder.formats import manifest

        current = manifest.current()
        folder = current.reference if str(impl) == "reference" else current.folder
    else:
        folder = Path(impl)
    if not folder.is_dir():
        raise ImplError(f"{folder} is not a folder of modules (the assignment's <module>.py files)")
    return folder.resolve()


def load(impl: str | Path, names: tuple[str, ...]) -> SimpleNamespace:
    """Import modules ``names`` from the folder ``impl`` under fresh, private module names.

    The folder goes on ``sys.path`` so a student's own helper modules import.
    Returns a namespace with one attribute per module name.
    """
    folder = resolve(impl)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    prefix = fresh_name("_rnnlab_impl") + "_"
    modules: dict[str, ModuleType] = {}
    for name in names:
        path = folder / f"{name}.py"
        if not path.is_file():
            raise ImplError(f"{folder} has no {name}.py")
        modules[name] = load_file(path, prefix + name)
    return SimpleNamespace(**modules)
