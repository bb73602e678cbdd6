"""The upload shaped for otter: afterwards otter's own first steps take it, and nothing graded
moves; and Gradescope's entry leaves a results.json whatever otter does."""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from otter.run.run_autograder.runners import create_runner
from otter.run.run_autograder.utils import OtterRuntimeError

from autograder.kit import upload
from autograder.kit.notebook import NOTEBOOK
from autograder.kit.upload import RUN_SCRIPT, run_otter, set_aside_note, shape_upload

KINDS = ("file", "folder", "link", "dangling link")
OUTSIDE = "outside.txt"
"""A file beside the submission folder that links point to: otter must never write into it."""


def make(root: Path, entries: dict[str, str]) -> Path:
    """A Gradescope-like ``root`` whose submission holds ``entries`` (name -> kind); its folder.

    The grading zip's side is otter's minimum: its tests and the stand-in notebook.
    """
    (root / "source" / "tests").mkdir(parents=True)
    (root / "source" / "tests" / "q1.py").write_text("OK_FORMAT = True\n")
    (root / "source" / "files").mkdir()
    (root / "source" / "files" / NOTEBOOK).write_text('{"the zip": "stand-in"}')
    (root / "results").mkdir()
    (root / OUTSIDE).write_text("not otter's")
    folder = root / "submission"
    folder.mkdir()
    for name, kind in entries.items():
        path = folder / name
        if kind == "file":
            path.write_text(f"the student's {name}")
        elif kind == "folder":
            path.mkdir()
            (path / "inside.py").write_text("x = 1\n")
        elif kind == "link":
            path.symlink_to(root / OUTSIDE)
        else:
            path.symlink_to(root / "nowhere")
    return folder


def kind_of(path: Path) -> str:
    if path.is_symlink():
        return "link" if path.exists() else "dangling link"
    return "folder" if path.is_dir() else "file"


def otter_prepares_and_resolves(root: Path) -> str:
    """Otter's own steps before any plugin runs: the submission file it picks."""
    runner = create_runner({}, autograder_dir=str(root))
    with contextlib.chdir(root):
        runner.prepare_files()
        with contextlib.chdir("submission"):
            return runner.resolve_submission_path()


notebook_names = st.text(alphabet="labCopy1 ()-_.", max_size=10).map(lambda s: f"{s}.ipynb")
otters_names = st.sampled_from(["tests", "__init__.py", NOTEBOOK])
graded_names = st.sampled_from(
    ["vocab.py", "labels.py", "helpers.py", "results.json", "otter_config.json", "data"]
)
uploads = st.dictionaries(
    st.one_of(notebook_names, otters_names, graded_names), st.sampled_from(KINDS), max_size=8
)


@settings(max_examples=80, deadline=None)
@given(entries=uploads)
def test_after_shaping_otter_takes_the_upload_and_nothing_graded_moved(entries):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = make(root, entries)
        moved = shape_upload(folder, root / upload.SET_ASIDE)
        assert moved == sorted(moved)
        assert set(moved) | {p.name for p in folder.iterdir()} == set(entries)
        for name in moved:  # moved as they were, links still links
            assert kind_of(root / upload.SET_ASIDE / name) == entries[name]
        for name, kind in entries.items():
            plain = kind == "file"
            if not name.endswith(".ipynb") and name not in ("tests", "__init__.py"):
                assert name not in moved  # a module, a helper, a data file: graded
            if name.startswith(".") or (name in (NOTEBOOK, "__init__.py") and plain):
                assert name not in moved  # otter neither counts nor trips on these
        assert otter_prepares_and_resolves(root) == NOTEBOOK
        assert (root / OUTSIDE).read_text() == "not otter's"


@pytest.mark.parametrize(
    "entries, moved",
    [
        ({"lab (1).ipynb": "file"}, ["lab (1).ipynb"]),
        ({NOTEBOOK: "file", "lab-Copy1.ipynb": "file"}, ["lab-Copy1.ipynb"]),
        ({NOTEBOOK: "file", "tests": "file"}, ["tests"]),
        ({"__init__.py": "folder", "lab.ipynb": "link"}, ["__init__.py", NOTEBOOK]),
    ],
    ids=["renamed notebook", "two notebooks", "a tests file", "otter's names, not files"],
)
def test_otter_refuses_the_shapes_unless_they_are_shaped(tmp_path, entries, moved):
    modules = {"vocab.py": "file", "labels.py": "file"}
    unshaped = tmp_path / "unshaped"
    make(unshaped, {**entries, **modules})
    with pytest.raises((OtterRuntimeError, OSError)):
        otter_prepares_and_resolves(unshaped)
    shaped = tmp_path / "shaped"
    folder = make(shaped, {**entries, **modules})
    assert shape_upload(folder, shaped / upload.SET_ASIDE) == moved
    assert otter_prepares_and_resolves(shaped) == NOTEBOOK
    assert {"vocab.py", "labels.py"} <= {p.name for p in folder.iterdir()}


def test_results_and_config_files_of_the_student_stay_to_be_graded(tmp_path):
    entries = {NOTEBOOK: "file", "results.json": "file", "otter_config.json": "file"}
    folder = make(tmp_path, {**entries, "vocab.py": "file"})
    assert shape_upload(folder, tmp_path / upload.SET_ASIDE) == []
    assert not (tmp_path / upload.SET_ASIDE).exists()
    assert otter_prepares_and_resolves(tmp_path) == NOTEBOOK


def test_the_note_names_each_entry_and_why():
    note = set_aside_note(["lab (1).ipynb", "tests"])
    assert "'lab (1).ipynb' (a notebook" in note and "'tests' (a name otter keeps" in note
    assert set_aside_note([]) == ""


def otter_failing(root: Path, entries: dict[str, str]) -> None:
    """A root where otter still fails after shaping: no stand-in notebook, two .py files."""
    make(root, entries)
    for stand_in in (root / "source" / "files").iterdir():
        stand_in.unlink()


def test_an_upload_otter_refuses_still_gets_results_that_say_why(tmp_path, capsys):
    otter_failing(tmp_path, {"a.py": "file", "b.py": "file", "tests": "file"})
    assert run_otter(tmp_path) == 1
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written["score"] == 0 and written["tests"] == []
    assert "not graded: OtterRuntimeError: More than one Python file" in written["output"]
    assert "'tests' (a name otter keeps" in written["output"]
    assert "OtterRuntimeError" in capsys.readouterr().err  # the traceback, for the instructor


def test_an_otter_crash_still_gets_results_that_say_why(tmp_path):
    make(tmp_path, {NOTEBOOK: "file"})
    (tmp_path / "source" / "tests" / "q1.py").unlink()
    (tmp_path / "source" / "tests").rmdir()  # a broken zip: otter crashes copying its tests
    assert run_otter(tmp_path) == 1
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written["score"] == 0 and "not graded: FileNotFoundError" in written["output"]


def test_graded_results_gain_the_note_of_what_was_set_aside(tmp_path, monkeypatch):
    import otter.run.run_autograder

    seen = []

    def graded(root: str) -> None:  # otter's entry, as far as the results go
        seen.append(sorted(p.name for p in (Path(root) / "submission").iterdir()))
        results = {"score": 7, "output": "sandbox: namespaces", "tests": [{"name": "q"}]}
        (Path(root) / "results" / "results.json").write_text(json.dumps(results))

    monkeypatch.setattr(otter.run.run_autograder, "main", graded)
    make(tmp_path, {"lab (1).ipynb": "file", "vocab.py": "file"})
    assert run_otter(tmp_path) == 0
    assert seen == [["vocab.py"]]  # shaped before otter's entry ran
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written["score"] == 7 and written["tests"] == [{"name": "q"}]
    assert written["output"] == f"{set_aside_note(['lab (1).ipynb'])}\nsandbox: namespaces"


def test_the_entry_script_writes_results_even_without_rnnlab(tmp_path):
    assert RUN_SCRIPT.count('"/autograder"') == 1  # the harness test swaps it for its root
    (tmp_path / "results").mkdir()
    script = tmp_path / "run_otter.py"
    script.write_text(RUN_SCRIPT.replace('"/autograder"', repr(str(tmp_path))))
    # -I -S: neither site-packages nor this checkout, so no autograder to import.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(script)], capture_output=True, text=True, env=env
    )
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written["score"] == 0 and "the grading image is broken" in written["output"]
