"""A course without TensorFlow: the engine installed alone into a fresh virtual environment
(its own dependencies from the package index, none of this lab's) grades a numpy assignment
end to end, through ``rnnlab grade`` and ``otter run``, and refuses the LSTM lab in one line.
"""

import json
import shutil
import subprocess
import venv
import zipfile
from pathlib import Path

import pytest

from autograder import ROOT

pytestmark = pytest.mark.slow

SOFTMAX = Path(__file__).parents[1] / "assignments" / "softmax"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Path:
    """The ``bin`` folder of a venv where ``pip install`` of the project installed the engine."""
    base = tmp_path_factory.mktemp("engine-only")
    source = base / "rnnlab"  # a clean copy: pip must not write build files into the project
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "__pycache__", "dist"))
    venv.create(base / "venv", with_pip=True)
    python = base / "venv" / "bin" / "python"
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*install, str(source)], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return python.parent


def _run(engine: Path, *args, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {"PATH": f"{engine}:/usr/bin:/bin", "HOME": str(Path.home())}
    return subprocess.run(
        [*args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )


def test_the_engine_installs_without_the_labs_libraries(engine, tmp_path):
    for library in ("tensorflow", "tf_keras", "matplotlib"):
        done = _run(engine, "python", "-c", f"import {library}", cwd=tmp_path)
        assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr, library


@pytest.fixture(scope="module")
def softmax(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("course") / "softmax"
    shutil.copytree(SOFTMAX, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture(scope="module")
def built(engine, softmax, tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    manifest = str(softmax / "assignment")
    done = _run(engine, "rnnlab", "--assignment", manifest, "build", "-o", str(dist), cwd=dist)
    assert done.returncode == 0, done.stderr[-3000:]
    return dist


@pytest.mark.parametrize("folder, score", [("reference", 17), ("assignment", 0)])
def test_rnnlab_grade_scores_a_numpy_assignment(engine, softmax, built, folder, score, tmp_path):
    output = tmp_path / "results.json"
    manifest = str(softmax / "assignment")
    done = _run(
        engine,
        *("rnnlab", "--assignment", manifest, "grade", "-q", str(softmax / folder)),
        *("-o", str(output)),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(output.read_text())["score"] == score


@pytest.mark.parametrize("folder, score", [("reference", 17), ("assignment", 0)])
def test_otter_run_scores_it_from_its_own_zip(engine, softmax, built, folder, score, tmp_path):
    submission = tmp_path / "submission.zip"
    with zipfile.ZipFile(submission, "w") as archive:
        archive.write(softmax / folder / "softmax.py", "softmax.py")
    out = tmp_path / "otter"
    out.mkdir()
    zip_ = built / "autograder.zip"
    done = _run(
        engine,
        *("python", "-m", "otter", "run", "--no-logo", "-a", str(zip_), "-o", str(out)),
        str(submission),
        cwd=out,
        timeout=1200,
    )
    assert (out / "results.json").is_file(), done.stderr[-3000:]
    assert json.loads((out / "results.json").read_text())["score"] == score


def test_the_lstm_lab_is_refused_in_one_line(engine, tmp_path):
    manifest = str(ROOT / "assignment")
    command = ("rnnlab", "--assignment", manifest, "grade", str(ROOT / "reference"))
    done = _run(engine, *command, cwd=tmp_path)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "tensorflow>=2.16,<2.22 (not installed)" in line and "nothing was graded" in line
    assert "fails to import" not in done.stdout + done.stderr
