"""A new assignment's skeleton (``rnnlab new``): the smallest assignment that grades, written
from the templates in ``templates/new``."""

import json
from pathlib import Path

from autograder.errors import RnnlabError
from autograder.formats.manifest import MANIFEST
from autograder.kit import templates
from autograder.kit.stubs import write_stubs

SKELETON_MODULE = "stats"
SKELETON_QUESTION = "mean"


class SkeletonError(RnnlabError, ValueError):
    """``rnnlab new`` would overwrite something."""


def skeleton(folder: Path, name: str | None = None, title: str | None = None) -> list[Path]:
    """Write the smallest assignment that grades into ``folder``; return the files written.

    ``folder/assignment/rnnlab.toml`` declares one question (a public and a hidden test)
    on one module, whose solution is ``folder/reference``'s; the stub and the public
    tests' ``points.json``, ``HIDDEN.md`` and ``rnnlab_check.py`` are generated from it.
    ``folder`` must not exist, or be empty.

    No ``tests/local.py`` or ``tests/conftest.py``: the kit's ``grader.check`` and pytest
    run on rnnlab's own (``tests/rnnlab_check.py``, ``build.KIT_CONFTEST``) until the
    assignment brings its own.
    """
    from autograder.formats import manifest

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SkeletonError(f"{folder} exists and is not an empty folder")
    name = name or folder.resolve().name or "assignment"
    module, question = SKELETON_MODULE, SKELETON_QUESTION
    fields = {"module": module, "question": question}
    files = {
        f"assignment/{MANIFEST}": templates.read("new/rnnlab.toml").format(
            name=json.dumps(name), title=json.dumps(title or name), **fields
        ),
        f"assignment/tests/test_{module}.py": templates.read("new/test_public.py.tmpl").format(
            **fields
        ),
        f"reference/{module}.py": templates.read("new/reference.py.tmpl"),
        f"reference/hidden_tests/{question}.py": templates.read("new/hidden_test.py.tmpl").format(
            **fields
        ),
    }
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written + write_stubs(manifest.load(folder / "assignment"))
