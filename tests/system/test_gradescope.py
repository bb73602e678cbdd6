"""Gradescope's harness, simulated: the grading zip gives what ``rnnlab grade`` gives.

Gradescope builds an image from ``autograder.zip`` (unpacked in
``/autograder/source``, ``setup.sh`` installs otter and rnnlab from the zip),
puts what the student handed in under ``/autograder/submission`` (a zip they
upload is unpacked), runs ``run_autograder`` (the zip's ``run_otter.py``:
rnnlab's ``upload.run_otter("/autograder")``, which shapes the upload for otter and
runs otter's ``run_autograder.main``) and shows ``/autograder/results/results.json``.
Here the same happens under a scratch root, with the zip's own ``run_otter.py``
pointed at it.

The slow test does it as on Gradescope's machine: rnnlab installed
(non-editable) from the zip's copy into a fresh virtual environment, and the
sandbox tier a Docker container allows, without namespaces.
"""

import json
import os
import re
import shutil
import site
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
import submissions
import venvs

from autograder import ROOT
from autograder.formats.manifest import current as current_assignment
from autograder.kit.build import build
from autograder.kit.notebook import NOTEBOOK
from autograder.kit.otter_bridge import ASSIGNMENT_POINTER, ENGINE
from autograder.kit.upload import SET_ASIDE, set_aside_note

LAB = current_assignment()


METADATA = {
    "id": 1,
    "assignment": {"id": 1, "title": "Recurrent networks"},
    "submission_method": "upload",
    "users": [{"email": "student@example.edu", "id": 1, "name": "A Student"}],
}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"))


# The LSTM probe's feedback shows the graph's Python id(), different in every process (two
# `rnnlab grade` runs differ there too): masked, like the wall time.
RUN_TO_RUN = re.compile(r"'graph_id': \d+")


def strip(results: dict) -> dict:
    """A results.json without what differs from run to run (its wall time, a graph's id)."""
    text = json.dumps({key: value for key, value in results.items() if key != "execution_time"})
    return json.loads(RUN_TO_RUN.sub("'graph_id': ...", text))


def gradescope(
    python: Path, autograder_zip: Path, files: dict[str, bytes], root: Path, env: dict
) -> dict:
    """Grade ``files`` (path in the submission -> content) as Gradescope would: its results.json."""
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for name, data in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    (root / "submission_metadata.json").write_text(json.dumps(METADATA))
    # The zip's own script, with our root for Gradescope's /autograder.
    script = root / "source" / "run_otter.py"
    text = script.read_text()
    assert text.count('"/autograder"') == 1, text
    script.write_text(text.replace('"/autograder"', repr(str(root))))
    done = subprocess.run(
        [str(python), str(script)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    results = root / "results" / "results.json"
    assert results.is_file(), (done.stdout[-3000:], done.stderr[-3000:])
    return json.loads(results.read_text())


def rnnlab_grade(
    python: Path, submission: Path, output: Path, env: dict, assignment: Path | None = None
) -> dict:
    """``rnnlab grade SUBMISSION -o OUTPUT`` with ``python``'s rnnlab (on ``assignment``, else
    its own): its results.json."""
    # -I: not the working folder on sys.path (a Gradescope root there holds an __init__.py).
    command = [str(python), "-I", "-m", "autograder.cli"]
    command += ["--assignment", str(assignment)] if assignment else []
    command += ["grade", str(submission)]
    command += ["-o", str(output)]
    done = subprocess.run(
        [*command, "-q"], cwd=output.parent, env=env, capture_output=True, text=True, timeout=1200
    )
    assert output.is_file(), done.stderr[-3000:]
    return json.loads(output.read_text())


def zip_assignment(dist: dict) -> Path:
    """The manifest the grading zip carries, unpacked beside it."""
    folder = dist["autograder.zip"].with_suffix("")
    if not folder.is_dir():
        with zipfile.ZipFile(dist["autograder.zip"]) as archive:
            archive.extractall(folder)
    engine = folder / ENGINE
    return engine / (engine / ASSIGNMENT_POINTER).read_text().strip()


def modules_of(folder: Path) -> dict[str, bytes]:
    return {f"{m}.py": (folder / f"{m}.py").read_bytes() for m in LAB.modules}


def zip_files(files: dict[str, bytes], target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def with_helper(labels_from: Path) -> dict[str, bytes]:
    """The stubs, but ``labels.py`` written with a helper module it imports, ``utils.py``."""
    files = modules_of(ROOT / "assignment")
    files["utils.py"] = (labels_from / "labels.py").read_bytes()
    files["labels.py"] = (
        b'"""Labels: the work is in utils.py."""\n\nfrom utils import encode_labels\n'
    )
    return files


# -- what students hand in, with this interpreter's rnnlab and otter --------------------------


def checkout_env() -> dict:
    """This process's environment, with this checkout first on otter's ``sys.path``: otter's
    process imports the zip's entry and the plugin from the installed rnnlab (on Gradescope,
    the zip's own copy), which need not be this checkout."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def test_loose_modules_with_a_helper_grade_as_rnnlab_grade_does(dist, tmp_path):
    """Drag-and-drop: the .py files alone, no notebook (other forms: test_otter)."""
    files = with_helper(ROOT / "reference")
    env = checkout_env()
    python = Path(sys.executable)
    handed_in = zip_files(files, tmp_path / "handed-in.zip")
    expected = rnnlab_grade(python, handed_in, tmp_path / "r.json", env)
    got = gradescope(python, dist["autograder.zip"], files, tmp_path / "gs", env)
    assert strip(got) == strip(expected)
    labels = [t for t in got["tests"] if t["name"].startswith("labels: ")]
    assert labels and all(t["status"] == "passed" for t in labels)  # the helper came along
    assert got["score"] == sum(t["max_score"] for t in labels)


UPLOAD_SHAPES = {  # what the upload holds beside the reference's modules -> what is set aside
    "renamed notebook": ({"lab (1).ipynb": None}, ["lab (1).ipynb"]),
    "two notebooks": ({NOTEBOOK: None, "lab-Copy1.ipynb": None}, ["lab-Copy1.ipynb"]),
    "a tests file": ({NOTEBOOK: None, "tests": b"my own notes\n"}, ["tests"]),
    "a results.json and an otter_config.json": (
        {
            NOTEBOOK: None,
            "results.json": b'{"score": 1000, "tests": []}',
            "otter_config.json": b'{"plugins": []}',
        },
        [],
    ),
}
"""``None`` stands for the kit's notebook. Otter alone stops on the first three before any
plugin step (test_upload, test_otter); it never reads a student's results.json or
otter_config.json."""


def reference_upload(dist: dict, added: dict[str, bytes | None]) -> dict[str, bytes]:
    """The reference's modules, with ``added`` (``None``: the kit's notebook)."""
    notebook = (dist["student"] / NOTEBOOK).read_bytes()
    extra = {name: notebook if data is None else data for name, data in added.items()}
    return {**modules_of(ROOT / "reference"), **extra}


@pytest.fixture(scope="module")
def plain_upload(dist, tmp_path_factory) -> dict:
    """The reference's export (its modules and ``lab.ipynb``), through the harness."""
    root = tmp_path_factory.mktemp("plain") / "gs"
    files = reference_upload(dist, {NOTEBOOK: None})
    return gradescope(Path(sys.executable), dist["autograder.zip"], files, root, checkout_env())


@pytest.mark.slow
@pytest.mark.parametrize("shape", UPLOAD_SHAPES)
def test_every_upload_that_holds_the_modules_is_graded(dist, plain_upload, tmp_path, shape):
    """As the plain upload is: the same tests and score, and the output names what was set aside."""
    added, set_aside = UPLOAD_SHAPES[shape]
    root = tmp_path / "gs"
    got = gradescope(
        Path(sys.executable),
        dist["autograder.zip"],
        reference_upload(dist, added),
        root,
        checkout_env(),
    )
    assert plain_upload["score"] == got["score"] == 100
    assert strip({**got, "output": ""}) == strip({**plain_upload, "output": ""})
    note = set_aside_note(set_aside)
    assert got["output"] == (f"{note}\n" if note else "") + plain_upload["output"]
    aside = root / SET_ASIDE
    assert (sorted(p.name for p in aside.iterdir()) if aside.exists() else []) == set_aside


# -- Gradescope's machine: a fresh install from the zip, no namespaces ----------------------


def docker_sandbox() -> str:
    """The sandbox tier a Docker container allows: "permissions" where rnnlab has it."""
    probe = "from autograder.sandbox import isolation; print(isolation())"
    env = {**os.environ, "RNNLAB_SANDBOX": "permissions"}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    return "permissions" if done.stdout.strip() == "permissions" else "none"


def _modes_around(paths: list[Path]) -> dict[Path, int]:
    """The modes of every folder above ``paths`` and of everything in those folders.

    Neither ``/`` nor the temporary folder: the tier leaves them alone, and their
    entries are other people's.
    """
    scratch = Path(tempfile.gettempdir()).resolve()
    folders = {parent for path in paths for parent in path.resolve().parents}
    modes = {}
    for folder in folders - {Path("/"), scratch}:
        if folder.is_relative_to(scratch):
            continue
        for entry in [folder, *(folder.iterdir() if os.access(folder, os.R_OK) else [])]:
            try:
                modes[entry] = entry.lstat().st_mode & 0o7777
            except OSError:
                pass
    return modes


@pytest.fixture(scope="module")
def machine_modes():
    """Give back the modes the permissions tier changes on the way to Python, for good.

    That tier makes everything beside the way to the Python installation unreadable
    to other users (``chmod o-rwx``, on a grading machine for good); here, where
    Python may sit in root's home, that would be root's whole home.
    """
    around = [Path(sys.base_prefix), Path(sys.prefix), *map(Path, site.getsitepackages())]
    before = _modes_around(around)
    yield
    for path, mode in before.items():
        try:
            if not path.is_symlink() and path.lstat().st_mode & 0o7777 != mode:
                path.chmod(mode)
        except OSError:
            pass


@pytest.fixture(scope="module")
def gradescope_image(dist, tmp_path_factory, machine_modes) -> tuple[Path, dict]:
    """A fresh environment with rnnlab installed from the zip's copy: (its python, the env)."""
    base = tmp_path_factory.mktemp("image")
    with zipfile.ZipFile(dist["autograder.zip"]) as archive:
        archive.extractall(base / "source")
    python = venvs.with_our_dependencies(base / "env")
    command = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, str(base / "source" / "rnnlab")], check=True, capture_output=True)
    where = subprocess.run(
        [python, "-I", "-c", "import autograder; print(autograder.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=base,
    ).stdout.strip()
    assert where.startswith(str(base / "env")), where  # the installed copy, not this project
    env = {
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "HOME": str(base),
        "LANG": "C.UTF-8",
        "RNNLAB_SANDBOX": docker_sandbox(),
    }
    return python, env


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["reference", "stubs", *(p.stem for p in submissions.one_per_question(submissions.BUGGY))],
    ids=str,
)
def test_gradescope_shows_what_rnnlab_grade_writes(dist, gradescope_image, tmp_path, name):
    """A bug per question: the harness carries what ``rnnlab grade`` writes, feedback and
    all; every bug's verdicts are ``test_snapshot``'s."""
    python, env = gradescope_image
    if name == "reference":
        modules = ROOT / "reference"
    elif name == "stubs":
        modules = ROOT / "assignment"
    else:
        modules = submissions.spliced(submissions.HERE / "buggy" / f"{name}.py", tmp_path / "m")
    export = submissions.export_zip(dist["student"] / "lab.ipynb", modules, tmp_path / "s.zip")
    with zipfile.ZipFile(export) as archive:  # Gradescope unpacks an uploaded zip
        files = {name: archive.read(name) for name in archive.namelist()}
    got = gradescope(python, dist["autograder.zip"], files, tmp_path / "autograder", env)
    # rnnlab grade as installed on that machine (this project's own install, inside the
    # project, is what the permissions tier makes unreadable to the sandboxes' users), on the
    # assignment the zip carries: an installed engine has none of its own.
    expected = rnnlab_grade(python, export, tmp_path / "results.json", env, zip_assignment(dist))
    assert strip(got) == strip(expected)
    assert {"score", "execution_time", "output", "tests"} <= set(got)
    assert env["RNNLAB_SANDBOX"] in ("none", "permissions")
    assert "sandbox:" in got["output"]  # the isolation note
    for test in got["tests"]:
        assert test["status"] in ("passed", "failed") and test["visibility"] in (
            "visible",
            "after_due_date",
        )
    if name not in ("reference", "stubs"):
        lost = submissions.question_lost(submissions.HERE / "buggy" / f"{name}.py")
        assert any(t["status"] == "failed" for t in got["tests"] if t["name"].startswith(lost))
        shown = json.dumps(got)
        assert "Trying:" not in shown and "outcome(" not in shown  # no doctest transcripts
    (tmp_path / "results-shown.json").write_text(json.dumps(got, indent=2))
    shutil.rmtree(tmp_path / "autograder", ignore_errors=True)


@pytest.mark.slow
def test_gradescope_grades_a_renamed_notebook_upload(dist, gradescope_image, tmp_path):
    """A ``lab (1).ipynb`` (the export downloaded twice) beside the reference's modules."""
    python, env = gradescope_image
    files = reference_upload(dist, {"lab (1).ipynb": None})
    got = gradescope(python, dist["autograder.zip"], files, tmp_path / "autograder", env)
    assert got["score"] == 100
    assert got["tests"] and all(t["status"] == "passed" for t in got["tests"])
    assert got["output"].startswith(set_aside_note(["lab (1).ipynb"]) + "\n")
    shutil.rmtree(tmp_path / "autograder", ignore_errors=True)
