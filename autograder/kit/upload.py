"""Gradescope's entry into the grading zip: the upload shaped for otter, and a results.json always.

Gradescope runs the zip's ``run_autograder``, which runs its ``run_otter.py``; ``rnnlab build``
writes that script (``RUN_SCRIPT``) to call ``run_otter`` here instead of otter's entry alone.
Otter 7 refuses some uploads in its first steps (``prepare_files``, ``resolve_submission_path``),
before any plugin step, so before the ``otter_bridge`` plugin can help:

- more than one notebook: it copies the zip's ``files/lab.ipynb`` in, then stops if it finds
  another ``*.ipynb`` (a ``lab (1).ipynb`` downloaded twice, a ``lab-Copy1.ipynb``);
- a ``tests`` that is no folder: it removes the folder it expects there and crashes;
- an ``__init__.py`` that is no file: it opens it to add to it, and crashes;
- a ``lab.ipynb`` that is no file: it copies the zip's over it, and crashes (a link: through it).

``shape_upload`` sets exactly those aside, out of the submission folder; rnnlab grades the
``.py`` modules and never a notebook, so nothing graded is lost, and the results name them.
Otter's other names are not in the submission folder (``otter_config.json`` and
``results.json`` are in ``source/`` and ``results/``): a student's are graded like any file.
(The one it reads there, ``.OTTER_LOG``, the plugin moves out before otter looks.)
Whatever otter still cannot handle ends in a results.json of 0 points that says why.

``otter run`` calls otter's entry directly, never the zip's script: there these uploads still
stop with otter's error and no results.json.
"""

import json
import shutil
import traceback
from collections.abc import Collection
from pathlib import Path

from autograder.formats import results
from autograder.kit.notebook import NOTEBOOK

SET_ASIDE = "set_aside"
"""The folder beside the submission's (``/autograder/set_aside``) where set-aside entries go."""
OTTERS_NAMES = frozenset({"tests", "__init__.py"})
"""Names otter itself writes in the submission folder (its tests, an empty ``__init__.py``)."""

RUN_SCRIPT = '''\
"""Gradescope's entry (run_autograder runs it), rnnlab's in place of otter's own: it shapes the
upload for otter, runs otter and always leaves a results.json (autograder.kit.upload)."""

import json
import sys

ROOT = "/autograder"

if __name__ == "__main__":
    try:
        from autograder.kit.upload import run_otter
    except Exception as error:  # no working rnnlab in this image: still a results.json
        said = f"This upload was not graded: the grading image is broken ({error!r})."
        with open(f"{ROOT}/results/results.json", "w") as f:
            json.dump({"score": 0, "output": said, "tests": []}, f)
        raise
    sys.exit(run_otter(ROOT))
'''
"""The zip's ``run_otter.py`` (the harness test swaps its one ``"/autograder"`` for its root)."""


def _in_the_way(entry: Path, stand_ins: Collection[str]) -> bool:
    """Whether otter, as it prepares the folder and looks for what to grade, trips on ``entry``."""
    name, plain_file = entry.name, entry.is_file() and not entry.is_symlink()
    if name in stand_ins:  # otter copies the zip's file over a plain file: it replaces it
        return not plain_file
    if name == "tests":
        return True  # even a folder: otter would delete it unseen
    if name == "__init__.py":
        return not plain_file
    # What otter's glob("*.ipynb") counts: no hidden name, folders and links too.
    return name.endswith(".ipynb") and not name.startswith(".")


def shape_upload(folder: Path, aside: Path, stand_ins: Collection[str] = (NOTEBOOK,)) -> list[str]:
    """Move out of ``folder`` into ``aside`` what otter cannot take: the names moved, sorted.

    ``stand_ins`` are the names of the grading zip's ``files/``, which otter copies into
    ``folder``: afterwards its one notebook is the zip's, whatever the student's were named.
    Entries are moved, not read: links stay links, pointing where they pointed.
    """
    moved = []
    for entry in sorted(folder.iterdir()):
        if _in_the_way(entry, stand_ins):
            aside.mkdir(parents=True, exist_ok=True)
            shutil.move(entry, aside / entry.name)
            moved.append(entry.name)
    return moved


def set_aside_note(names: Collection[str]) -> str:
    """What the results say of the entries ``shape_upload`` moved ("" if none)."""
    if not names:
        return ""

    def why(name: str) -> str:
        if name in OTTERS_NAMES:
            return "a name otter keeps for its own files"
        return "a notebook: rnnlab grades your .py modules, never a notebook"

    listed = "; ".join(f"{name!r} ({why(name)})" for name in names)
    return f"Set aside before grading, not graded: {listed}."


def refusal(error: BaseException, moved: Collection[str]) -> dict:
    """The results.json of an upload otter could not handle: 0 points and why."""
    said = (
        f"This upload was not graded: {type(error).__name__}: {error}. Upload the zip the "
        "notebook's last cell writes, or your .py modules; if you did, tell your instructor."
    )
    note = set_aside_note(moved)
    return {"score": 0, "output": f"{said}\n{note}" if note else said, "tests": []}


def zip_files(root: Path) -> set[str]:
    """The names otter copies from the zip's ``files/`` into the submission folder."""
    files = root / "source" / "files"
    return {path.name for path in files.iterdir()} if files.is_dir() else set()


def run_otter(root: str | Path) -> int:
    """Grade ``root``'s submission as Gradescope does, the upload shaped first: an exit code.

    ``root`` is Gradescope's ``/autograder``. Otter's own entry does the grading; its
    results.json gains the note of what was set aside. If otter fails (its refusals and
    its crashes alike), the results.json is ``refusal``'s and the exit code 1.
    """
    root = Path(root)
    output = root / "results" / "results.json"
    moved: list[str] = []
    try:
        moved = shape_upload(root / "submission", root / SET_ASIDE, zip_files(root))
        if moved:
            print(set_aside_note(moved))
        # Imported here: otter's entry brings pandas and the rest of otter's grading.
        from otter.run.run_autograder import main

        main(str(root))
        written = json.loads(output.read_text())
    except Exception as error:
        traceback.print_exc()  # for the instructor, in Gradescope's autograder output
        output.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(refusal(error, moved), indent=2), output)
        return 1
    if moved:
        shown = written.get("output", "")
        written["output"] = f"{set_aside_note(moved)}\n{shown}" if shown else set_aside_note(moved)
        results.write_text(json.dumps(written, indent=2), output)
    return 0
