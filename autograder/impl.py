"""Load an implementation of the graded modules (the reference, or a student's folder) by path.

Used by an assignment's own commands (its lab runs, say), which execute the
student's code in this process on purpose: that is the student's own program.
Grading never does this.
"""

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

_loads = itertools.count()


class ImplError(Exception):
    """The implementation folder is missing or lacks a module."""


def resolve(impl: str | Path) -> Path:
    """The folder of ``impl``: ``reference`` and ``assignment`` are the current assignment's
    reference and stubs (``manifest.current()``); anything else is a path."""
    if str(impl) in ("reference", "assignment"):
        from autograder import manifest

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
    prefix = f"_rnnlab_impl{next(_loads)}_"
    modules: dict[str, ModuleType] = {}
    for name in names:
        path = folder / f"{name}.py"
        if not path.is_file():
            raise ImplError(f"{folder} has no {name}.py")
        spec = importlib.util.spec_from_file_location(prefix + name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return SimpleNamespace(**modules)
