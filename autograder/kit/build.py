"""``rnnlab build``: what an instructor hands out and uploads, made from an assignment.

- ``student/`` and ``student.zip``: the stubs, the public tests (pytest, and
  otter's OK files for the notebook's ``grader.check``), ``lab.ipynb``,
  ``requirements.txt`` (the assignment's requirements and the kit's own), a
  README and a GitHub Actions workflow that runs the public checks on every
  push. Nothing of the reference or the hidden tests.
- ``autograder.zip``: an otter-grader grading zip for Gradescope (and ``otter
  run``), made by ``otter generate`` and then completed here: it carries
  rnnlab's engine and the assignment (``rnnlab/``: the grader, the manifest, the
  public and hidden tests, the reference), which grades every submission
  through the ``otter_bridge`` plugin, whatever rnnlab is installed where it runs,
  and its Gradescope entry is rnnlab's (``upload``: the upload shaped for otter).

The kit is made from freshly generated stubs: ``build`` first rewrites the
assignment's generated files that are out of date (``stubs.write_stubs``).
"""

import io
import json
import os
import pprint
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import otter
from packaging.requirements import Requirement

import autograder
from autograder import ROOT
from autograder.formats import manifest
from autograder.formats.manifest import Assignment
from autograder.kit import sizing, stubs, templates
from autograder.kit.notebook import (
    GRADED,
    HEADLESS_RUN,
    NOTEBOOK,
    OTTER_TESTS,
    StudentSide,
    export_command,
    grading_notebook,
    headless_zip,
    lab_notebook,
    modules_named,
    student_side,
)
from autograder.kit.otter_bridge import ASSIGNMENT_POINTER, ENGINE, OUTCOMES_ENV, PLUGIN
from autograder.kit.upload import RUN_SCRIPT
from autograder.model.rubric import Question, public_scale

KIT_OWN_REQUIREMENTS = ("otter-grader>=7.0,<8", "pytest>=8,<10", "ipykernel>=6.29,<8")
"""What the kit itself runs, whatever the assignment: otter for the notebook's ``grader.check``
and export (no extras: neither needs them), pytest for the public tests, and ipykernel, the
notebook's kernel. No notebook editor: the kit's README says how to add one (JupyterLab),
and the workflow, which installs these, never opens the notebook."""
KIT_PYTHON = "3.11"
"""The Python the kit is made for: the grading zip's and the workflow's."""
KIT_REQUIRES_PYTHON = ">=3.10,<3.14"
"""The Pythons the kit's requirements install on: every one of this project's has wheels for
3.10 to 3.13 (checked with ``pip install --dry-run --python-version``)."""
KIT_GITIGNORE = templates.read("kit/gitignore")
"""The kit's ``.gitignore`` (the export's zips, otter's log, environments, caches), to which
the assignment's notebook file adds its own lines (``gitignore``: the data, say)."""
WORKFLOW = templates.read("kit/workflow.yml")
KIT_README = templates.read("kit/README.md")
KIT_CONFTEST = templates.read("kit/conftest.py")
"""The kit's ``tests/conftest.py`` when the assignment's public tests bring none: pytest's
``sub`` and the public checks' score (the OK tests need none: ``stubs.CHECKS`` runs them)."""


def kit_requirements(assignment: Assignment) -> str:
    """The kit's ``requirements.txt``: the Python it needs (a comment), the assignment's
    requirements, then the kit's own."""
    named = {_project(r) for r in assignment.requirements}
    own = [r for r in KIT_OWN_REQUIREMENTS if _project(r) not in named]
    note = f"# requires-python {KIT_REQUIRES_PYTHON} (the grader runs Python {KIT_PYTHON})"
    return "".join(f"{line}\n" for line in (note, *assignment.requirements, *own))


def kit_gitignore(side: StudentSide) -> str:
    """The kit's ``.gitignore``: the engine's lines, then the assignment's."""
    own = "".join(f"{line}\n" for line in side.gitignore)
    return KIT_GITIGNORE + (f"# What the assignment writes\n{own}" if own else "")


def _project(requirement: str) -> str:
    """The project a requirement line names (``otter-grader[grading]>=7`` -> otter-grader)."""
    name = requirement.strip()
    for stop in "[<>=!~; @":
        name = name.split(stop)[0]
    return name.lower().replace("_", "-")


def kit_readme(assignment: Assignment, side: StudentSide | None = None) -> str:
    """The kit's README: the assignment's title and modules, how to set up (Python, a venv,
    the requirements), the assignment's own text (its notebook file's ``readme``: where
    the data come from, say), and how to check and hand in."""
    side = side or student_side(assignment)
    intro = (
        f"Open `{NOTEBOOK}` and work through it: your code goes in {modules_named(assignment)}, "
        "wherever a function raises `NotImplementedError`. Each docstring says what the "
        "function must do; the hidden tests grade exactly that."
    )
    return KIT_README.format(
        title=assignment.title,
        intro=textwrap.fill(intro, width=80, break_on_hyphens=False, break_long_words=False),
        python=KIT_PYTHON,
        notebook=NOTEBOOK,
        assignment=f"{side.readme}\n\n" if side.readme else "",
        question=assignment.questions[0].id,
        graded=textwrap.fill(GRADED, width=80, break_on_hyphens=False, break_long_words=False),
        headless=HEADLESS_RUN,
        export=export_command(NOTEBOOK, OTTER_TESTS, tuple(f.name for f in side.kit_files)),
        zipped=headless_zip(),
    )


def ok_test(
    question: Question,
    cases: list[tuple[str, float, bool]],
    names: list[str] | None = None,
    passed: str | None = None,
) -> str:
    """An OK-format test file for ``question``: ``cases`` are (doctest, points, hidden).

    ``names``, if given, name the cases (otter numbers them: "q1 - 2"); ``passed``, if
    given, is what otter shows under the last case when it passes.
    """
    spec = {
        "name": question.id,
        "points": sum(points for _, points, _ in cases),
        "suites": [
            {
                "cases": [
                    ({"name": names[number]} if names else {})
                    | {"code": code, "hidden": hidden, "points": points}
                    | ({"success_message": passed} if passed and number == len(cases) - 1 else {})
                    for number, (code, points, hidden) in enumerate(cases)
                ],
                "scored": True,
                "setup": "",
                "teardown": "",
                "type": "doctest",
            }
        ],
    }
    return f"OK_FORMAT = True\n\ntest = {pprint.pformat(spec, sort_dicts=False, width=100)}\n"


def student_ok_tests(assignment: Assignment | None = None) -> dict[str, str]:
    """The notebook's checks: each public test, run on the student's modules by
    ``tests/rnnlab_check.py`` (``stubs.CHECKS``, with the assignment's ``tests/local.py`` if
    it has one), named as ``rnnlab check`` and Gradescope name it.

    A case expects nothing: ``check`` prints only what went wrong, the words the
    grader uses (and keeps otter's doctest transcript out of them). The last case, of no
    points, is the question's scale: the public points earned, and the points its hidden
    tests grade; ``points`` prints them when some were lost, its message when none were.
    """
    files, checks = {}, stubs.CHECKS_MODULE
    start = f'>>> import sys; sys.path.insert(0, "tests")\n>>> import {checks}\n'
    for q in (assignment or manifest.current()).questions:
        public = [t for t in q.tests if t.visibility == "public"]
        names = [f"{q.id}: {t.title}" for t in public]
        cases = [
            (f"{start}>>> {checks}.check({q.module!r}, {t.id!r}, {name!r})", t.points, False)
            for t, name in zip(public, names, strict=True)
        ]
        earned = {name: t.points for t, name in zip(public, names, strict=True)}
        total = sum(earned.values())
        hidden = sum(t.points for t in q.tests if t.visibility == "hidden")
        cases.append((f"{start}>>> {checks}.points({earned!r}, {hidden!r})", 0, False))
        names.append(f"{q.id}: public points")
        files[f"{q.id}.py"] = ok_test(q, cases, names, public_scale(total, total, hidden))
    return files


def grading_ok_tests(assignment: Assignment | None = None) -> dict[str, str]:
    """The grading zip's tests: every rubric test, answered from the plugin's outcomes.

    By the time otter's kernel runs them, rnnlab has graded the submission (in the
    plugin's ``before_grading``) and written each test's outcome to a file; a case
    only looks its test up there, with ``json`` and ``os``, which the kernel has
    imported long before, and imports nothing of rnnlab's or anyone's.
    """
    files = {}
    for q in (assignment or manifest.current()).questions:
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


def write_kit(folder: Path, assignment: Assignment | None = None) -> None:
    """The student kit in ``folder`` (created; must not exist).

    Its ``tests/`` is a copy of the assignment's public tests, with every profile's
    helper that lives elsewhere, and ``KIT_CONFTEST`` if they have no ``conftest.py``; the
    generated files (the stubs, ``tests/points.json``...) are rendered now, whatever the
    assignment's folder holds. Beside the
    notebook: the files its notebook file names (``kit_files``), ``requirements.txt``,
    the README and a ``.gitignore``.
    """
    assignment = assignment or manifest.current()
    folder.mkdir(parents=True)
    shutil.copytree(
        assignment.public_tests,
        folder / "tests",
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"),
    )
    for profile in assignment.profiles.values():
        helper = profile.helper
        if helper is not None and not helper.is_relative_to(assignment.public_tests):
            shutil.copy(helper, folder / "tests" / helper.name)
    for relative, text in stubs.generated(assignment).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    if not (folder / "tests" / "conftest.py").exists():
        (folder / "tests" / "conftest.py").write_text(KIT_CONFTEST)
    (folder / OTTER_TESTS).mkdir()
    for name, text in student_ok_tests(assignment).items():
        (folder / OTTER_TESTS / name).write_text(text)
    side = student_side(assignment)
    nbformat.write(lab_notebook(assignment, side), folder / NOTEBOOK)
    for path in side.kit_files:
        shutil.copy(path, folder / path.name)
    (folder / "requirements.txt").write_text(kit_requirements(assignment))
    (folder / "README.md").write_text(kit_readme(assignment, side))
    (folder / ".gitignore").write_text(kit_gitignore(side))
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "check.yml").write_text(WORKFLOW.format(python=KIT_PYTHON))


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
ENGINE_PARTS = ("autograder", "pyproject.toml", ASSIGNMENT_POINTER)
"""What the grading zip's ``rnnlab/`` holds of the engine: its package, and a
``pyproject.toml`` made from this install's metadata (``engine_pyproject``), enough to
``pip install`` it. The assignment's files go beside them (``assignment_parts``)."""
DISTRIBUTION = "rnnlab"


def engine_pyproject() -> str:
    """A ``pyproject.toml`` for the engine the grading zip carries, from this install's own
    metadata (a wheel install has no pyproject to copy): its name, version, Python and
    dependencies, none of its extras (the assignment's requirements come from its manifest)."""
    try:
        meta = metadata.metadata(DISTRIBUTION)
        requires = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        raise RuntimeError(
            f"the grading zip carries the installed engine, and {DISTRIBUTION} is not "
            "installed here (pip install -e .)"
        ) from None
    plain = [r for r in requires if "extra" not in str(Requirement(r).marker or "")]
    dependencies = "".join(f"    {json.dumps(r)},\n" for r in plain)
    return (
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f"[project]\nname = {json.dumps(meta['Name'])}\nversion = {json.dumps(meta['Version'])}\n"
        f"requires-python = {json.dumps(meta['Requires-Python'] or '>=3.11')}\n"
        f"dependencies = [\n{dependencies}]\n\n"
        '[project.scripts]\nrnnlab = "autograder.cli:main"\n\n'
        '[tool.setuptools.packages.find]\ninclude = ["autograder*"]\n'
    )


def gradescope_note(assignment: Assignment) -> str:
    """What ``rnnlab build`` tells the instructor about the grading zip."""
    return (
        "Gradescope: upload autograder.zip as a 'Zip file upload' autograder "
        f"({assignment.title}: {len(assignment.questions)} questions, "
        f"{sum(t.points for q in assignment.questions for t in q.tests):g} points)."
    )


def grading_readme(assignment: Assignment, memory: str) -> str:
    """The grading zip's ``README.md``: how to upload it, and the ``memory`` advice."""
    return f"# {assignment.title}: the grading zip\n\n{gradescope_note(assignment)}\n\n{memory}\n"


SETUP_UNUSED = {
    # Chromium and its system libraries, for otter's PDFs of notebooks: never made here.
    'mamba run -n otter-env bash -c "playwright install-deps && playwright install chromium"\n': "",
    # R's build dependencies (otter's template serves R assignments too).
    " libcurl4-gnutls-dev libxml2-dev libssl-dev libgit2-dev": "",
}
"""Lines (or parts) of otter's ``setup.sh`` for what grading here never uses: removed."""
RUN_SCRIPT_NAME = "run_otter.py"
"""The script otter's ``run_autograder`` runs: the zip carries ``upload.RUN_SCRIPT`` there."""


def write_grading_zip(target: Path, assignment: Assignment | None = None) -> None:
    """``autograder.zip``: ``otter generate`` with our OK tests and config, completed.

    ``otter generate`` writes the scripts, the environment (otter, the assignment's
    requirements and rnnlab), the tests, the config and ``files/`` (only the stand-in
    notebook: otter copies ``files/`` into each submission's folder, where the
    reference has no business). Then the zip gets rnnlab's engine and the assignment
    as ``rnnlab/`` (``/autograder/source/rnnlab``, installed from there by the image's
    setup), ``setup.sh`` loses what it would install for nothing and ``run_otter.py``
    becomes rnnlab's entry (``upload.RUN_SCRIPT``).
    """
    assignment = assignment or manifest.current()
    with tempfile.TemporaryDirectory(prefix="rnnlab-build-") as scratch:
        work = Path(scratch)
        (work / "tests").mkdir()
        for name, text in grading_ok_tests(assignment).items():
            (work / "tests" / name).write_text(text)
        (work / "otter_config.json").write_text(json.dumps(OTTER_CONFIG, indent=2))
        nbformat.write(grading_notebook(), work / NOTEBOOK)
        # Our own list, not appended to otter's default: its "plugins" extra (Google
        # Sheets) is never used.
        lines = [
            f"otter-grader[grading]=={otter.__version__}",
            *assignment.requirements,
            f"/autograder/source/{ENGINE}",
        ]
        (work / "requirements.txt").write_text("".join(f"{line}\n" for line in lines))
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
            KIT_PYTHON,
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
    _complete(target, assignment)


def assignment_parts(assignment: Assignment) -> tuple[Path, list[Path]]:
    """Where the assignment's files are, and which: ``(base, paths)``.

    The paths are everything the manifest names (its folder, the reference, the public
    and hidden tests, the notebook, commands, equivalent mutants and variants, and profile helpers),
    none inside another; ``base`` is the project folder if they all are in it, else
    the folder their parents have in common. The grading zip keeps them where they are
    relative to ``base``, so the manifest's relative paths still hold there.
    """
    named = [
        assignment.folder,
        assignment.reference,
        assignment.hidden_tests,
        assignment.public_tests,
        assignment.notebook,
        assignment.commands,
        assignment.equivalent_mutants,
        assignment.equivalent_variants,
        *(p.helper for p in assignment.profiles.values()),
    ]
    paths = sorted({p.resolve() for p in named if p is not None})
    paths = [p for p in paths if not any(p != q and p.is_relative_to(q) for q in paths)]
    root = ROOT.resolve()
    if all(p.is_relative_to(root) and p != root for p in paths):
        base = root
    else:
        base = Path(os.path.commonpath([p.parent for p in paths]))
    clash = [p for p in paths if p.relative_to(base).parts[0] in ENGINE_PARTS]
    if clash:
        raise ValueError(f"{clash[0]}: the grading zip keeps the engine there; move it")
    return base, paths


def _complete(target: Path, assignment: Assignment) -> None:
    """Add the engine and the assignment to the generated zip, trim its ``setup.sh`` and
    make its ``run_otter.py`` rnnlab's (``upload.RUN_SCRIPT``: the upload shaped for otter).

    A new zip in its place. ``rnnlab/ASSIGNMENT`` names the manifest, relative to
    ``rnnlab/``: the otter bridge grades with the assignment it finds there.
    """
    base, parts = assignment_parts(assignment)
    generated = target.read_bytes()
    with zipfile.ZipFile(io.BytesIO(generated)) as source:
        if RUN_SCRIPT_NAME not in source.namelist():  # Gradescope would run otter's entry alone
            raise RuntimeError(f"otter generate wrote no {RUN_SCRIPT_NAME} to replace")
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
            elif info.filename == RUN_SCRIPT_NAME:  # otter's entry, with the upload shaped first
                data = RUN_SCRIPT.encode()
            archive.writestr(info, data)
        engine = Path(autograder.__file__).resolve().parent
        carried = [(engine, engine.parent), *((path, base) for path in parts)]
        for path, start in carried:
            files = [path] if path.is_file() else sorted(path.rglob("*"))
            for file in files:
                if file.is_file() and "__pycache__" not in file.parts:
                    archive.write(file, f"{ENGINE}/{file.relative_to(start).as_posix()}")
        archive.writestr(f"{ENGINE}/pyproject.toml", engine_pyproject())
        manifest_path = assignment.path.resolve().relative_to(base).as_posix()
        archive.writestr(f"{ENGINE}/{ASSIGNMENT_POINTER}", manifest_path + "\n")
        archive.writestr(sizing.README, grading_readme(assignment, sizing.NOT_MEASURED))


def build(dest: Path, assignment: Assignment | None = None) -> dict[str, Path]:
    """Write the kit, its zip and the grading zip into ``dest`` (replacing what was there).

    The assignment's generated files (stubs, points) are rewritten first if they are
    out of date, so the kit and the zip never carry stale ones.
    """
    assignment = assignment or manifest.current()
    if stubs.stale_stubs(assignment):
        stubs.write_stubs(assignment)
    student, kit_zip, grading_zip = dest / "student", dest / "student.zip", dest / "autograder.zip"
    shutil.rmtree(student, ignore_errors=True)
    for path in (kit_zip, grading_zip):
        path.unlink(missing_ok=True)
    write_kit(student, assignment)
    zip_folder(student, kit_zip)
    write_grading_zip(grading_zip, assignment)
    return {"student": student, "student.zip": kit_zip, "autograder.zip": grading_zip}
