"""Grading does not depend on how rnnlab is installed: editable, ``pip install .``, a wheel.

Each install is graded with and without namespaces (where this machine has
them), on the same submission copied outside the project, and every
``results.json`` must be the same test by test. The installs get the
project's dependencies from this interpreter's site-packages (a ``.pth``
line), so only rnnlab itself is installed anew.

An installed engine carries no package of the lab (``data``, ``reference``,
``assignment`` stay in the repository): it grades the lab through ``--assignment``
(``RNNLAB_ASSIGNMENT``), pointed at the repository's copy.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import venvs

from autograder import ROOT
from autograder.sandbox import isolation

pytestmark = pytest.mark.slow

QUESTIONS = ("labels", "splits")
GRADE = """
import json, sys
from autograder import ROOT
from autograder.formats import results
from autograder.grading.grade import grade
from autograder.formats.manifest import current
report = grade(sys.argv[1], questions=[current().question(q) for q in sys.argv[3:]])
data = results.gradescope(report)
data.pop("execution_time")
data["root"] = str(ROOT)
print(json.dumps(data))
"""


def _pip(python: Path, *args: str) -> None:
    command = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, *args], check=True, capture_output=True, cwd=ROOT)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A clean copy of the project: pip must not write build files into it."""
    source = tmp_path_factory.mktemp("source") / "rnnlab"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "__pycache__", "dist"))
    return source


@pytest.fixture(scope="module")
def installs(tmp_path_factory, source) -> dict[str, Path]:
    """The interpreter of each kind of install."""
    base = tmp_path_factory.mktemp("installs")
    plain = venvs.with_our_dependencies(base / "plain")
    _pip(plain, str(source))
    wheels = base / "wheels"
    subprocess.run(
        [plain, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    wheel = venvs.with_our_dependencies(base / "wheel")
    _pip(wheel, str(next(wheels.glob("rnnlab-*.whl"))))
    return {"editable": Path(sys.executable), "pip install .": plain, "wheel": wheel}


def _grade(python: Path, submission: Path, mode: str, lab: Path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "RNNLAB_ASSIGNMENT": str(lab)}
    if mode == "none":
        env["RNNLAB_SANDBOX"] = "none"
    done = subprocess.run(
        [python, "-c", GRADE, str(submission), "-", *QUESTIONS],
        capture_output=True,
        text=True,
        env=env,
        cwd=submission.parent,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_every_install_grades_alike(installs, source, tmp_path):
    submission = tmp_path / "class" / "student"
    shutil.copytree(ROOT / "reference", submission)
    (submission / "splits.py").write_text(
        (submission / "splits.py").read_text().replace("// 2", "// 3")
    )
    modes = ["none"] + (["namespaces"] if isolation() == "namespaces" else [])
    graded = {
        (kind, mode): _grade(python, submission, mode, source / "assignment")
        for kind, python in installs.items()
        for mode in modes
    }
    roots = {kind: graded[(kind, modes[0])].pop("root") for kind in installs}
    for key in graded:
        graded[key].pop("root", None)
    assert roots["editable"] == str(ROOT)
    assert "site-packages" in roots["pip install ."] and "site-packages" in roots["wheel"]
    first = graded[("editable", modes[0])]
    assert first["tests"][0]["status"] == "passed"  # labels: the reference's
    assert any(t["status"] == "failed" for t in first["tests"])  # splits: the planted bug
    for key, data in graded.items():
        # The isolation note differs by mode, by design; the tests must not.
        assert data["tests"] == first["tests"], key
        assert data["score"] == first["score"], key


@pytest.mark.parametrize("package", ["data", "reference", "assignment"])
def test_an_installed_engine_brings_no_package_of_the_lab(installs, package, tmp_path):
    for kind in ("pip install .", "wheel"):
        done = subprocess.run(
            [installs[kind], "-I", "-c", f"import {package}"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr, kind


def test_a_wheel_grades_the_lab_it_is_pointed_at(installs, source, tmp_path):
    rnnlab = installs["wheel"].parent / "rnnlab"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    alone = subprocess.run(
        [rnnlab, "grade", str(source / "reference")], capture_output=True, text=True, env=env
    )
    assert alone.returncode == 2 and "no assignment: pass --assignment PATH" in alone.stderr
    output = tmp_path / "results.json"
    command = [rnnlab, "--assignment", str(source / "assignment"), "grade", "-q"]
    done = subprocess.run(
        [*command, str(source / "reference"), "-o", str(output)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    graded = json.loads(output.read_text())
    assert graded["score"] == 100 and all(t["status"] == "passed" for t in graded["tests"])
