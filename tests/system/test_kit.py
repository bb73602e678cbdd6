"""The student's side: the kit, unzipped into a fresh environment, works as its README says.

The slow test is the whole path, in a new virtual environment made with the README's
commands (it borrows our installed packages, ``venvs.py``, and installs the kit's
requirements from them alone, with no index: so they must hold what we test with):
``get_data.py --from`` a tiny data set, every cell of the notebook with its quick sizes,
every ``grader.check``, the export, and the kit's own pytest, on a filled-in kit whose
``lstm.py`` lost its ``TF_USE_LEGACY_KERAS`` line. The fast ones check ``get_data.py``.
"""

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from venvs import with_our_dependencies

from autograder import ROOT
from autograder.formats.manifest import current as current_assignment
from autograder.kit.build import build
from autograder.kit.notebook import NOTEBOOK

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


@pytest.mark.slow
def test_the_kit_runs_top_to_bottom_in_a_fresh_environment(tmp_path, tiny_data):
    kit = tmp_path / "kit"
    with zipfile.ZipFile(build(tmp_path / "dist")["student.zip"]) as archive:
        archive.extractall(kit)
    readme = (kit / "README.md").read_text()
    assert re.search(r"python3\.\d+ -m venv \.venv", readme)
    assert "python -m pip install -r requirements.txt" in readme
    assert "python get_data.py --from FOLDER" in readme

    # A student who has done everything, and deleted lstm.py's line that selects tf-keras.
    for module in LAB.modules:
        (kit / f"{module}.py").write_text((ROOT / "reference" / f"{module}.py").read_text())
    lstm = (kit / "lstm.py").read_text()
    assert LEGACY_KERAS in lstm
    (kit / "lstm.py").write_text(lstm.replace(LEGACY_KERAS, ""))

    venv = kit / ".venv"
    python = with_our_dependencies(venv)
    env = kit_env(venv)

    def run(*command: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(python), *command],
            cwd=kit,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    installed = run("-m", "pip", "install", "--no-index", "-r", "requirements.txt")
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    assert run("-c", "import autograder").returncode != 0  # nothing of rnnlab's in the kit's env
    got = run("get_data.py", "--from", str(tiny_data), "--no-check")
    assert got.returncode == 0, got.stderr
    assert {p.name for p in (kit / "data").iterdir()} == {"reviews.txt", "labels.txt"}

    (tmp_path / "run_notebook.py").write_text(RUN_NOTEBOOK)
    executed = tmp_path / "executed.ipynb"
    done = run(str(tmp_path / "run_notebook.py"), NOTEBOOK, str(kit), str(executed), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    cells = [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]
    errors = [
        (c.source[:60], outputs(c)[-1500:])
        for c in cells
        if any(o.output_type == "error" for o in c.outputs)
    ]
    assert errors == []
    assert f"KERNEL {venv / 'bin' / 'python'}" in outputs(cells[-1])
    checks = [c for c in cells if c.source.startswith("grader.check(")]
    assert len(checks) == len(LAB.questions)
    for cell in checks:
        assert re.search(r"passed", outputs(cell)) and not re.search(r"fail", outputs(cell), re.I)
    # Quiet: no TensorFlow start-up lines, deprecation warnings or logger chatter anywhere.
    stderr = "\n".join(
        o.get("text", "") for c in cells for o in c.outputs if o.get("name") == "stderr"
    )
    assert not re.search(r"oneDNN|cuda|deprecated|WARNING", stderr, re.I), stderr[:2000]
    # The export: one zip with the notebook and every module, nothing of the kit's own, and
    # the one-line warning, since the modules were written after the notebook was saved.
    export = outputs(cells[-2])
    assert f"Warning: {NOTEBOOK} was last saved before your last change" in export
    zips = list(kit.glob("*.zip"))
    assert len(zips) == 1
    names = set(zipfile.ZipFile(zips[0]).namelist())
    assert {f"{m}.py" for m in LAB.modules} | {NOTEBOOK} <= names
    assert "get_data.py" not in names and ".OTTER_LOG" not in names
    assert not any(name.startswith(("tests/", "otter_tests/", "data/")) for name in names)

    # The kit's own tests, still without lstm.py's line: tests/conftest.py sets it.
    tested = run("-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", timeout=600)
    assert tested.returncode == 0, tested.stdout[-3000:]
    assert "public checks:" in tested.stdout


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
