"""The student's side: the kit, unzipped into a fresh environment, works as its README says.

The slow tests are the whole path, in a new virtual environment made with the README's
commands (it borrows our installed packages, ``venvs.py``, and installs the kit's
requirements from them alone, with no index: so they must hold what we test with). The
lab's: ``get_data.py --from`` a tiny data set, every cell of the notebook with its quick
sizes, every ``grader.check``, the export, and the kit's own pytest, on a filled-in kit whose
``lstm.py`` lost its ``TF_USE_LEGACY_KERAS`` line. An assignment with no notebook file and no
``tests/local.py`` (``rnnlab new``'s here, the softmax one in test_second_assignment.py):
the notebook rnnlab makes for it, its checks on the stubs and on the reference, the export
and pytest (``bare_kit_works``). A run without an editor, with the README's two lines:
nbconvert, then the one-line export, hands in the notebook with its outputs. The fast ones
check ``get_data.py``.
"""

import hashlib
import importlib.util
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from venvs import with_our_dependencies

from autograder import ROOT
from autograder.formats import manifest
from autograder.formats.manifest import Assignment
from autograder.formats.manifest import current as current_assignment
from autograder.kit.build import build
from autograder.kit.notebook import NOTEBOOK, headless_zip
from autograder.kit.skeleton import skeleton

LAB = current_assignment()
GET_DATA = ROOT / "assignment" / "get_data.py"
LEGACY_KERAS = 'os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")'
RUN_NOTEBOOK = """\
import sys
import nbformat
from nbclient import NotebookClient

notebook = nbformat.read(sys.argv[1], as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell("import sys; print('KERNEL', sys.executable)"))
client = NotebookClient(
    notebook, timeout=600, kernel_name="python3", allow_errors=True,
    resources={"metadata": {"path": sys.argv[2]}},
)
client.execute()
nbformat.write(notebook, sys.argv[3])
"""
"""Executes the kit's notebook where it is, with whatever Python runs it (the kit's venv's)."""


def load_get_data():
    spec = importlib.util.spec_from_file_location("kit_get_data", GET_DATA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outputs(cell) -> str:
    return "\n".join(
        str(o.get("text", ""))
        + str(o.get("data", {}).get("text/plain", ""))
        + "\n".join(o.get("traceback", []))
        for o in cell.get("outputs", [])
    )


def kit_env(venv: Path) -> dict[str, str]:
    """The environment after the README's ``. .venv/bin/activate``, and nothing of ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RNNLAB_", "TF_", "PYTHON", "JUPYTER", "VIRTUAL_ENV", "MPL"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


class FreshKit:
    """A kit unzipped from ``student.zip`` into ``kit``, in the venv its README says to make,
    with its requirements installed from our packages alone (no index)."""

    def __init__(self, student_zip: Path, kit: Path) -> None:
        with zipfile.ZipFile(student_zip) as archive:
            archive.extractall(kit)
        self.kit, self.readme = kit, (kit / "README.md").read_text()
        assert re.search(r"python3\.\d+ -m venv \.venv", self.readme)
        assert "python -m pip install -r requirements.txt" in self.readme
        self.venv = kit / ".venv"
        self.python = with_our_dependencies(self.venv)
        self.env = kit_env(self.venv)
        installed = self.run("-m", "pip", "install", "--no-index", "-r", "requirements.txt")
        assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
        assert self.run("-c", "import autograder").returncode != 0  # nothing of rnnlab's here

    def run(self, *command: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.python), *command],
            cwd=self.kit,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def notebook(self, scratch: Path) -> list:
        """Run every cell of the kit's notebook in the kit's venv; its code cells, run, and
        none ended in an error. The last is ours: it shows which Python ran the kernel."""
        (scratch / "run_notebook.py").write_text(RUN_NOTEBOOK)
        executed = scratch / "executed.ipynb"
        script = str(scratch / "run_notebook.py")
        done = self.run(script, NOTEBOOK, str(self.kit), str(executed), timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        cells = [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]
        errors = [
            (c.source[:60], outputs(c)[-1500:])
            for c in cells
            if any(o.output_type == "error" for o in c.outputs)
        ]
        assert errors == []
        assert f"KERNEL {self.venv / 'bin' / 'python'}" in outputs(cells[-1])
        return cells

    def export(self, assignment: Assignment) -> None:
        """The export wrote one zip: the notebook and every module, nothing of the kit's own."""
        zips = list(self.kit.glob("*.zip"))
        assert len(zips) == 1
        names = set(zipfile.ZipFile(zips[0]).namelist())
        assert {f"{m}.py" for m in assignment.modules} | {NOTEBOOK} <= names
        assert ".OTTER_LOG" not in names
        assert not any(name.startswith(("tests/", "otter_tests/", "data/")) for name in names)
        zips[0].unlink()

    def pytest(self) -> subprocess.CompletedProcess:
        return self.run("-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", timeout=600)


def checks(cells: list) -> dict[str, str]:
    """What each ``grader.check`` cell showed, by its question."""
    found = {}
    for cell in cells:
        if cell.source.startswith("grader.check("):
            found[cell.source.split('"')[1]] = outputs(cell)
    return found


@pytest.mark.slow
def test_the_kit_runs_top_to_bottom_in_a_fresh_environment(tmp_path, tiny_data):
    kit = FreshKit(build(tmp_path / "dist")["student.zip"], tmp_path / "kit")
    assert "python get_data.py --from FOLDER" in kit.readme

    # A student who has done everything, and deleted lstm.py's line that selects tf-keras.
    for module in LAB.modules:
        (kit.kit / f"{module}.py").write_text((ROOT / "reference" / f"{module}.py").read_text())
    lstm = (kit.kit / "lstm.py").read_text()
    assert LEGACY_KERAS in lstm
    (kit.kit / "lstm.py").write_text(lstm.replace(LEGACY_KERAS, ""))

    got = kit.run("get_data.py", "--from", str(tiny_data), "--no-check")
    assert got.returncode == 0, got.stderr
    assert {p.name for p in (kit.kit / "data").iterdir()} == {"reviews.txt", "labels.txt"}

    cells = kit.notebook(tmp_path)
    said = checks(cells)
    assert len(said) == len(LAB.questions)
    for output in said.values():
        assert re.search(r"passed", output) and not re.search(r"fail", output, re.I)
    # Quiet: no TensorFlow start-up lines, deprecation warnings or logger chatter anywhere.
    stderr = "\n".join(
        o.get("text", "") for c in cells for o in c.outputs if o.get("name") == "stderr"
    )
    assert not re.search(r"oneDNN|cuda|deprecated|WARNING", stderr, re.I), stderr[:2000]
    # The export: the one-line warning, since the modules were written after the notebook was
    # saved, and no kit file of the assignment's own.
    assert f"Warning: {NOTEBOOK} was last saved before your last change" in outputs(cells[-2])
    assert "get_data.py" not in zipfile.ZipFile(next(kit.kit.glob("*.zip"))).namelist()
    kit.export(LAB)

    # The kit's own tests, still without lstm.py's line: tests/conftest.py sets it.
    tested = kit.pytest()
    assert tested.returncode == 0, tested.stdout[-3000:]
    assert "public checks:" in tested.stdout


@pytest.mark.slow
def test_a_headless_run_hands_in_the_executed_notebook(tmp_path, tiny_data):
    """The README's two lines for a run without an editor, as they are written: nbconvert runs
    every cell in place (its export cell zips the notebook as it was), then the one-line export
    writes ``lab.zip``, whose notebook holds every cell's outputs."""
    kit = FreshKit(build(tmp_path / "dist")["student.zip"], tmp_path / "kit")
    for module in LAB.modules:
        (kit.kit / f"{module}.py").write_text((ROOT / "reference" / f"{module}.py").read_text())
    got = kit.run("get_data.py", "--from", str(tiny_data), "--no-check")
    assert got.returncode == 0, got.stderr
    lines = [
        line.strip()
        for line in kit.readme.splitlines()
        if line.startswith(("    python -m nbconvert ", "    python -c "))
    ]
    assert len(lines) == 2 and "--execute --inplace" in lines[0]
    for line in lines:
        command = shlex.split(line)
        assert command[0] == "python"
        done = kit.run(*command[1:], timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]

    with zipfile.ZipFile(kit.kit / headless_zip()) as archive:
        names = set(archive.namelist())
        handed_in = nbformat.reads(archive.read(NOTEBOOK).decode(), as_version=4)
    assert {f"{m}.py" for m in LAB.modules} | {NOTEBOOK} <= names
    assert not any(name.startswith(("tests/", "otter_tests/", "data/")) for name in names)
    cells = [c for c in handed_in.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in cells)  # every cell ran, the export cell too
    said = checks(cells)
    assert len(said) == len(LAB.questions)
    assert all("passed" in output and "fail" not in output.lower() for output in said.values())
    assert "test accuracy" in "".join(outputs(c) for c in cells)
    # The export cell, run inside nbconvert, zipped the notebook as it was before: it says so.
    assert f"Warning: {NOTEBOOK} was last saved before" in outputs(cells[-1])
    (stale,) = set(kit.kit.glob("*.zip")) - {kit.kit / headless_zip()}
    before = nbformat.reads(zipfile.ZipFile(stale).read(NOTEBOOK).decode(), as_version=4)
    assert not any(c.get("outputs") for c in before.cells)


def bare_kit_works(student_zip: Path, assignment: Assignment, scratch: Path) -> None:
    """The kit of an assignment with no notebook file (nor a ``check`` of its own), in a fresh
    venv: its notebook (rnnlab's) checks every question and exports, on the stubs (each
    check says what is not written yet) and on the reference (each passes); its pytest gives
    the reference every public point."""
    kit = FreshKit(student_zip, scratch / "kit")
    assert assignment.notebook is None
    for state in ("stubs", "reference"):
        if state == "reference":
            for module in assignment.modules:
                source = (assignment.reference / f"{module}.py").read_text()
                (kit.kit / f"{module}.py").write_text(source)
        said = checks(kit.notebook(scratch))
        assert list(said) == [q.id for q in assignment.questions]
        for question, output in said.items():
            assert "Traceback" not in output and "Error: " not in output, (question, output)
            if state == "stubs":
                assert "not written yet" in output, (question, output)
            else:
                assert "passed" in output and not re.search(r"fail", output, re.I), output
        kit.export(assignment)
    tested = kit.pytest()
    assert tested.returncode == 0, tested.stdout[-3000:]
    total = sum(t.points for q in assignment.questions for t in q.tests if t.visibility == "public")
    assert f"public checks: {total:g} / {total:g} points" in tested.stdout


@pytest.mark.slow
def test_a_new_assignment_s_kit_works_in_a_fresh_environment(tmp_path):
    skeleton(tmp_path / "new")
    assignment = manifest.load(tmp_path / "new" / "assignment")
    bare_kit_works(build(tmp_path / "dist", assignment)["student.zip"], assignment, tmp_path)


def test_get_data_downloads_checks_and_keeps(tmp_path, tiny_data, monkeypatch, capsys):
    get_data = load_get_data()
    digests = {
        name: hashlib.sha256((tiny_data / name).read_bytes()).hexdigest() for name in get_data.FILES
    }
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in get_data.FILES:
        (broken / name).write_text("not it\n")
    monkeypatch.setattr(get_data, "FILES", digests)
    monkeypatch.setattr(get_data, "MIRRORS", [broken.as_uri() + "/", tiny_data.as_uri() + "/"])
    dest = tmp_path / "copied"
    get_data.fetch(dest=dest)
    for name in digests:
        assert (dest / name).read_bytes() == (tiny_data / name).read_bytes()
    assert not list(dest.glob(".*"))  # no partial files left behind
    assert get_data.read(dest)[1].startswith("positive\n")
    capsys.readouterr()
    get_data.fetch(dest=dest)  # already there: kept, nothing downloaded
    assert capsys.readouterr().out.count("already there") == 2

    monkeypatch.setattr(get_data, "MIRRORS", [broken.as_uri() + "/"])
    with pytest.raises(get_data.DataError, match=r"could not download .*--from FOLDER"):
        get_data.fetch(dest=tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere" / "reviews.txt").exists()


def test_get_data_copies_only_the_real_files_unless_told(tmp_path, tiny_data, capsys):
    script = [sys.executable, str(GET_DATA)]
    dest = tmp_path / "copied"
    refused = subprocess.run(
        [*script, "--from", str(tiny_data), "--dest", str(dest)], capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert "is not the lab's reviews.txt" in refused.stderr
    assert "--no-check" in refused.stderr and "Traceback" not in refused.stderr
    assert not (dest / "reviews.txt").exists()
    copied = subprocess.run(
        [*script, "--from", str(tiny_data), "--dest", str(dest), "--no-check"],
        capture_output=True,
        text=True,
    )
    assert copied.returncode == 0, copied.stderr
    assert (dest / "labels.txt").read_text() == (tiny_data / "labels.txt").read_text()


def test_a_missing_data_file_is_one_line_in_the_notebook(tmp_path):
    """No traceback, and the line says what to run."""
    (tmp_path / "get_data.py").write_text(GET_DATA.read_text())
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import get_data\nget_data.read()")]
    )
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    (error,) = [o for o in notebook.cells[0].outputs if o.output_type == "error"]
    assert error.traceback == [
        "DataError: data/reviews.txt is missing: run `python get_data.py` in the lab's folder "
        "(it downloads the data), or `python get_data.py --from FOLDER` to copy your copy"
    ]
