"""``rnnlab build``: what an instructor hands out and uploads, made from the rubric and the repo.

- ``student/`` and ``student.zip``: the stubs, the public tests (pytest, and
  otter's OK files for the notebook's ``grader.check``), ``lab.ipynb``,
  ``requirements.txt``, a README and a GitHub Actions workflow that runs the
  public checks on every push. Nothing of the reference or the hidden tests.
- ``autograder.zip``: an otter-grader grading zip for Gradescope (and ``otter
  run``), made by ``otter generate`` and then completed here: it carries
  rnnlab's engine (``rnnlab/``: the grader, the rubric, the hidden tests, the
  reference), which grades every submission through the ``otter_bridge``
  plugin, whatever rnnlab is installed where it runs.
"""

import io
import json
import pprint
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import otter

from autograder import ROOT, stubs
from autograder.notebook import NOTEBOOK, OTTER_TESTS, grading_notebook, lab_notebook
from autograder.otter_bridge import ENGINE, OUTCOMES_ENV, PLUGIN
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
    """The grading zip's tests: every rubric test, answered from the plugin's outcomes.

    By the time otter's kernel runs them, rnnlab has graded the submission (in the
    plugin's ``before_grading``) and written each test's outcome to a file; a case
    only looks its test up there, with ``json`` and ``os``, which the kernel has
    imported long before, and imports nothing of rnnlab's or anyone's.
    """
    files = {}
    for q in QUESTIONS:
        cases = [
            (
                f">>> import json, os\n>>> with open(os.environ[{OUTCOMES_ENV!r}]) as f:\n"
                f"...     print(json.load(f).get({f'{q.id}: {t.title}'!r}, 'not graded'))\n"
                "passed",
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
    nbformat.write(lab_notebook(), folder / NOTEBOOK)
    (folder / "requirements.txt").write_text(KIT_REQUIREMENTS)
    (folder / "README.md").write_text(KIT_README)
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "check.yml").write_text(WORKFLOW)


def zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder))


OTTER_CONFIG = {
    "plugins": [PLUGIN],
    "show_stdout": False,
    # Not "zips": true. Gradescope unpacks a zip a student uploads, and `otter run`
    # unpacks its submission zip itself, so the submission folder holds files, never a
    # zip; with "zips" set, otter would open the first zip there and fail when there is
    # none. (`otter grade`, which leaves zips packed, sets it itself.)
    "zips": False,
}
ENGINE_PARTS = ("autograder", "reference", "assignment", "data", "pyproject.toml", "README.md")
"""What of the project the grading zip carries: enough to ``pip install`` rnnlab."""
GRADESCOPE_NOTE = (
    "Gradescope: upload autograder.zip as a 'Zip file upload' autograder and give it more "
    "memory than the default 768 MB (1 GB or more): a grade peaks at about 810 MB there, "
    "TensorFlow's sandbox about 640 MB of it (python benchmarks/peak_memory.py measures it)."
)
"""What ``rnnlab build`` tells the instructor about the grading zip."""
SETUP_UNUSED = {
    # Chromium and its system libraries, for otter's PDFs of notebooks: never made here.
    'mamba run -n otter-env bash -c "playwright install-deps && playwright install chromium"\n': "",
    # R's build dependencies (otter's template serves R assignments too).
    " libcurl4-gnutls-dev libxml2-dev libssl-dev libgit2-dev": "",
}
"""Lines (or parts) of otter's ``setup.sh`` for what grading here never uses: removed."""


def write_grading_zip(target: Path) -> None:
    """``autograder.zip``: ``otter generate`` with our OK tests and config, completed.

    ``otter generate`` writes the scripts, the environment (otter and rnnlab), the
    tests, the config and ``files/`` (only the stand-in notebook: otter copies
    ``files/`` into each submission's folder, where the reference has no business).
    Then the zip gets rnnlab's engine as ``rnnlab/`` (``/autograder/source/rnnlab``,
    installed from there by the image's setup) and ``setup.sh`` loses what it would
    install for nothing.
    """
    with tempfile.TemporaryDirectory(prefix="rnnlab-build-") as scratch:
        work = Path(scratch)
        (work / "tests").mkdir()
        for name, text in grading_ok_tests().items():
            (work / "tests" / name).write_text(text)
        (work / "otter_config.json").write_text(json.dumps(OTTER_CONFIG, indent=2))
        nbformat.write(grading_notebook(), work / NOTEBOOK)
        # Our own list, not appended to otter's default: its "plugins" extra (Google
        # Sheets) is never used.
        (work / "requirements.txt").write_text(
            f"otter-grader[grading]=={otter.__version__}\n/autograder/source/{ENGINE}\n"
        )
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
            "--overwrite-requirements",
            "-c",
            "otter_config.json",
            NOTEBOOK,
        ]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(f"otter generate failed: {done.stderr.strip()[-2000:]}")
    _complete(target)


def _complete(target: Path) -> None:
    """Add the engine to the generated zip and trim its ``setup.sh``: a new zip in its place."""
    generated = target.read_bytes()
    with (
        zipfile.ZipFile(io.BytesIO(generated)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "setup.sh":
                text = data.decode()
                for unused, kept in SETUP_UNUSED.items():
                    text = text.replace(unused, kept)
                data = text.encode()
            archive.writestr(info, data)
        for name in ENGINE_PARTS:
            path = ROOT / name
            files = [path] if path.is_file() else sorted(path.rglob("*"))
            for file in files:
                if file.is_file() and "__pycache__" not in file.parts:
                    archive.write(file, f"{ENGINE}/{file.relative_to(ROOT).as_posix()}")


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
