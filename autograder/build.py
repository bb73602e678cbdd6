"""``rnnlab build``: what an instructor hands out and uploads, made from the rubric and the repo.

- ``student/`` and ``student.zip``: the stubs, the public tests (pytest, and
  otter's OK files for the notebook's ``grader.check``), ``lab.ipynb``,
  ``requirements.txt``, a README and a GitHub Actions workflow that runs the
  public checks on every push. Nothing of the reference or the hidden tests.
- ``autograder.zip``: an otter-grader grading zip made by ``otter generate``,
  whose OK tests ask rnnlab's engine (``otter_bridge``) for every rubric test.
"""

import json
import pprint
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat

from autograder import ROOT, stubs
from autograder.notebook import OTTER_TESTS, lab_notebook
from autograder.rubric import QUESTIONS, Question

PUBLIC_TESTS = ROOT / "assignment" / "tests"
KIT_REQUIREMENTS = (
    "numpy>=1.26,<3\ntensorflow>=2.16,<2.22\ntf-keras>=2.16,<2.22\nmatplotlib>=3.8,<4\n"
    "pytest>=8,<10\nnbformat>=5.9,<6\notter-grader>=7.0,<8\njupyter\n"
)
WORKFLOW = """\
name: public checks
on: [push, pull_request, workflow_dispatch]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
      - name: Install the kit's requirements
        run: python -m pip install -r requirements.txt
      - name: Run the public checks (the score goes to the job summary)
        run: python -m pytest tests -q
"""
KIT_README = """\
# The recurrent-networks lab

Open `lab.ipynb` and work through it: your code goes in `vocab.py`, `labels.py`,
`padding.py`, `splits.py`, `rnn.py` and `lstm.py`, wherever a function raises
`NotImplementedError`. Each docstring says what the function must do; the hidden
tests grade exactly that.

    python -m pip install -r requirements.txt
    python -m pytest tests          # the public checks, outside the notebook

In the notebook, `grader.check("vocab")` runs the same public checks for one
question, and the last cell writes the zip you hand in. Pushing this folder to
GitHub runs the public checks there too (`.github/workflows/check.yml`), with
your score in the job summary.
"""


def ok_test(question: Question, cases: list[tuple[str, float, bool]]) -> str:
    """An OK-format test file for ``question``: ``cases`` are (doctest, points, hidden)."""
    spec = {
        "name": question.id,
        "points": sum(points for _, points, _ in cases),
        "suites": [
            {
                "cases": [
                    {"code": code, "hidden": hidden, "points": points}
                    for code, points, hidden in cases
                ],
                "scored": True,
                "setup": "",
                "teardown": "",
                "type": "doctest",
            }
        ],
    }
    return f"OK_FORMAT = True\n\ntest = {pprint.pformat(spec, sort_dicts=False, width=100)}\n"


def student_ok_tests() -> dict[str, str]:
    """The notebook's checks: each public test, run on the student's modules by tests/local.py."""
    files = {}
    for q in QUESTIONS:
        cases = [
            (
                f'>>> import sys; sys.path.insert(0, "tests")\n>>> import local\n'
                f'>>> print(local.run("{q.module}", "{t.id}"))\npassed',
                t.points,
                False,
            )
            for t in q.tests
            if t.visibility == "public"
        ]
        files[f"{q.id}.py"] = ok_test(q, cases)
    return files


def grading_ok_tests() -> dict[str, str]:
    """The grading zip's tests: every rubric test, answered by rnnlab's engine."""
    files = {}
    for q in QUESTIONS:
        cases = [
            (
                ">>> from autograder.otter_bridge import outcome\n"
                f">>> print(outcome({f'{q.id}: {t.title}'!r}))\npassed",
                t.points,
                t.visibility == "hidden",
            )
            for t in q.tests
        ]
        files[f"{q.id}.py"] = ok_test(q, cases)
    return files


def write_kit(folder: Path) -> None:
    """The student kit in ``folder`` (created; must not exist)."""
    folder.mkdir(parents=True)
    for relative, text in stubs.generated(ROOT / "reference").items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    for path in PUBLIC_TESTS.glob("*.py"):
        shutil.copy(path, folder / "tests" / path.name)
    shutil.copy(PUBLIC_TESTS / "points.json", folder / "tests" / "points.json")
    (folder / OTTER_TESTS).mkdir()
    for name, text in student_ok_tests().items():
        (folder / OTTER_TESTS / name).write_text(text)
    nbformat.write(lab_notebook(), folder / "lab.ipynb")
    (folder / "requirements.txt").write_text(KIT_REQUIREMENTS)
    (folder / "README.md").write_text(KIT_README)
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "check.yml").write_text(WORKFLOW)


def zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder))


def write_grading_zip(target: Path) -> None:
    """``autograder.zip`` with ``otter generate``: our OK tests, our plugin, rnnlab itself."""
    with tempfile.TemporaryDirectory(prefix="rnnlab-build-") as scratch:
        work = Path(scratch)
        (work / "tests").mkdir()
        for name, text in grading_ok_tests().items():
            (work / "tests" / name).write_text(text)
        (work / "otter_config.json").write_text(
            json.dumps(
                {
                    "plugins": ["autograder.otter_bridge.RunModulesOnly"],
                    "show_stdout": False,
                },
                indent=2,
            )
        )
        # Gradescope builds its image from this: rnnlab is installed from the copy below.
        project = work / "rnnlab"
        for name in ("autograder", "reference", "assignment", "data"):
            shutil.copytree(
                ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, project / name)
        (work / "requirements.txt").write_text("/autograder/source/files/rnnlab\n")
        command = [
            sys.executable,
            "-m",
            "otter",
            "generate",
            "-t",
            "tests",
            "-o",
            str(target.resolve()),
            "--python-version",
            "3.11",
            "-r",
            "requirements.txt",
            "-c",
            "otter_config.json",
            "rnnlab",
        ]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(f"otter generate failed: {done.stderr.strip()[-2000:]}")


def build(dest: Path) -> dict[str, Path]:
    """Write the kit, its zip and the grading zip into ``dest`` (replacing what was there)."""
    student, kit_zip, grading_zip = dest / "student", dest / "student.zip", dest / "autograder.zip"
    shutil.rmtree(student, ignore_errors=True)
    for path in (kit_zip, grading_zip):
        path.unlink(missing_ok=True)
    write_kit(student)
    zip_folder(student, kit_zip)
    write_grading_zip(grading_zip)
    return {"student": student, "student.zip": kit_zip, "autograder.zip": grading_zip}
