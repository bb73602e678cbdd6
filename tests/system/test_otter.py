"""The otter path: the notebook runs and exports, and ``otter run`` gives rnnlab's results.

``otter run -a autograder.zip`` must write the very ``results.json`` that
``rnnlab grade -o`` writes for the same submission, grade with the engine inside
the zip whatever rnnlab is installed, and let nothing of a submission run
outside rnnlab's sandboxes (``hostile/shadows_*``).
"""

import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
import submissions
from nbclient import NotebookClient
from test_gradescope import strip

from autograder import ROOT
from autograder.formats import results
from autograder.formats.manifest import current as current_assignment
from autograder.grading.grade import grade
from autograder.kit.build import build
from autograder.kit.notebook import NOTEBOOK
from autograder.kit.otter_bridge import ASSIGNMENT_POINTER, ENGINE
from autograder.kit.upload import RUN_SCRIPT

LAB = current_assignment()


SHADOWS = sorted(p for p in (submissions.HERE / "hostile").glob("shadows_*") if p.is_dir())
MARKER_ENV = "RNNLAB_HOSTILE_MARKER"


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"))


def export_zip(dist, modules, target):
    return submissions.export_zip(dist["student"] / NOTEBOOK, modules, target)


def otter_run(autograder_zip: Path, submission: Path, out: Path, env=None) -> dict:
    """``otter run -a AUTOGRADER_ZIP SUBMISSION``: the results.json it writes."""
    out.mkdir()
    command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder_zip)]
    done = subprocess.run(
        [*command, "-o", str(out), str(submission)],
        capture_output=True,
        text=True,
        env=env,
        cwd=out,
        timeout=1200,
    )
    assert (out / "results.json").is_file(), done.stderr[-3000:]
    return json.loads((out / "results.json").read_text())


def rnnlab_results(submission: Path) -> dict:
    """What ``rnnlab grade SUBMISSION -o results.json`` writes, as ``strip`` leaves it."""
    return strip(results.gradescope(grade(submission)))


def test_the_notebook_runs_top_to_bottom_on_the_reference(dist, tmp_path, tiny_data):
    kit = tmp_path / "kit"
    shutil.copytree(dist["student"], kit)
    for module in LAB.modules:
        shutil.copy(ROOT / "reference" / f"{module}.py", kit / f"{module}.py")
    (kit / "plotting.py").write_text('"""A helper module of the student\'s own."""\n')
    shutil.copytree(tiny_data, kit / "data")  # the quick sizes run on the tiny data
    notebook = nbformat.read(kit / NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(kit)}}
    ).execute()
    outputs = "\n".join(
        str(o.get("text", o.get("data", "")))
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "Traceback" not in outputs and "Error" not in outputs
    assert outputs.count("All test cases passed") >= 7  # every grader.check
    exported = list(kit.glob("*.zip"))
    assert len(exported) == 1
    names = set(zipfile.ZipFile(exported[0]).namelist())
    # Every module beside the notebook, the student's helper too; nothing of the kit's own.
    assert {f"{m}.py" for m in LAB.modules} | {"plotting.py", NOTEBOOK} <= names
    assert not any(name.startswith(("tests/", "otter_tests/")) for name in names)
    assert ".OTTER_LOG" not in names
    report = grade(exported[0])  # the notebook's own export, as a submission
    assert report.score == report.max_score == 100


@pytest.mark.parametrize("name", ["reference", "stubs", "lstm_shared_cell"])
def test_otter_run_writes_what_rnnlab_grade_writes(dist, tmp_path, name):
    if name == "reference":
        modules = ROOT / "reference"
    elif name == "stubs":
        modules = ROOT / "assignment"
    else:
        modules = submissions.spliced(submissions.HERE / "buggy" / f"{name}.py", tmp_path / "m")
    submission = export_zip(dist, modules, tmp_path / f"{name}.zip")
    written = otter_run(dist["autograder.zip"], submission, tmp_path / "otter")
    assert strip(written) == rnnlab_results(submission)  # every field, feedback included
    assert written["execution_time"] > 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "group",
    submissions.packed(submissions.ALTERNATIVE),
    ids=lambda group: "+".join(p.stem for p in group),
)
def test_every_alternative_gets_full_marks_through_otter(dist, tmp_path, group):
    modules = submissions.spliced(group, tmp_path / "modules")
    submission = export_zip(dist, modules, tmp_path / "alternative.zip")
    written = otter_run(dist["autograder.zip"], submission, tmp_path / "otter")
    assert {t["name"]: t["output"] for t in written["tests"] if t["status"] != "passed"} == {}
    assert written["score"] == 100


@pytest.mark.slow
def test_a_variant_of_every_module_gets_full_marks_through_otter(dist, tmp_path):
    from autograder.mutate import variants

    modules = tmp_path / "modules"
    shutil.copytree(ROOT / "reference", modules, ignore=shutil.ignore_patterns("_*", "lab"))
    chosen = {}
    for variant in variants.sample(variants.generate(), 14, seed=9):
        chosen.setdefault(variant.module, variant)
    for variant in chosen.values():
        (modules / f"{variant.module}.py").write_text(variant.source)
    assert set(chosen) == set(LAB.modules)
    submission = export_zip(dist, modules, tmp_path / "variants.zip")
    written = otter_run(dist["autograder.zip"], submission, tmp_path / "otter")
    assert {t["name"]: t["output"] for t in written["tests"] if t["status"] != "passed"} == {}
    assert written["score"] == 100


@pytest.mark.parametrize("form", ["modules and a helper, no notebook", "a zip of the kit's folder"])
def test_otter_run_grades_every_form_of_submission(dist, tmp_path, form):
    files = {f"{m}.py": (ROOT / "assignment" / f"{m}.py").read_bytes() for m in LAB.modules}
    files["helpers.py"] = (ROOT / "reference" / "labels.py").read_bytes()
    files["labels.py"] = b"from helpers import encode_labels  # noqa: F401\n"
    if form == "a zip of the kit's folder":
        files[NOTEBOOK] = (dist["student"] / NOTEBOOK).read_bytes()
        files = {f"lab/{name}": data for name, data in files.items()}
    submission = tmp_path / "handed-in.zip"
    with zipfile.ZipFile(submission, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    written = otter_run(dist["autograder.zip"], submission, tmp_path / "otter")
    assert strip(written) == rnnlab_results(submission)
    labels = [t for t in written["tests"] if t["name"].startswith("labels: ")]
    assert labels and all(t["status"] == "passed" for t in labels)


@pytest.mark.parametrize(
    "added, refusal",
    [
        ({"lab (1).ipynb": NOTEBOOK}, "More than one .ipynb file found in submission"),
        ({NOTEBOOK: NOTEBOOK, "tests": None}, "NotADirectoryError"),
    ],
    ids=["renamed notebook", "a tests file"],
)
def test_otter_run_skips_the_zips_entry_so_otter_still_refuses_some_shapes(
    dist, tmp_path, added, refusal
):
    """``otter run`` calls otter's own entry, not the zip's ``run_otter.py``, which shapes
    these uploads on Gradescope (test_gradescope): here otter stops before any plugin step
    and writes no results.json, as the instructors' page says."""
    submission = tmp_path / "s.zip"
    with zipfile.ZipFile(submission, "w") as archive:
        for module in LAB.modules:
            archive.write(ROOT / "reference" / f"{module}.py", f"{module}.py")
        for name, source in added.items():
            if source is None:
                archive.writestr(name, "my own notes\n")
            else:
                archive.write(dist["student"] / source, name)
    out = tmp_path / "otter"
    out.mkdir()
    command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(dist["autograder.zip"])]
    done = subprocess.run(
        [*command, "-o", str(out), str(submission)],
        capture_output=True,
        text=True,
        cwd=out,
        timeout=1200,
    )
    assert done.returncode != 0 and refusal in done.stderr
    assert not (out / "results.json").exists()


def hostile_export(dist, folder: Path, target: Path) -> Path:
    """The notebook's export of the stubs, with everything of ``folder`` added as it is."""
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(dist["student"] / NOTEBOOK, NOTEBOOK)
        for module in LAB.modules:
            archive.write(ROOT / "assignment" / f"{module}.py", f"{module}.py")
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def test_the_shadows_share_one_payload():
    payloads = {(folder / "_hostile.py").read_text() for folder in SHADOWS}
    assert len(SHADOWS) >= 8 and len(payloads) == 1


@pytest.mark.parametrize("folder", SHADOWS, ids=lambda p: p.name)
def test_nothing_of_a_submission_runs_outside_the_sandbox(dist, tmp_path, folder):
    marker = tmp_path / "ran-outside-the-sandbox.txt"
    submission = hostile_export(dist, folder, tmp_path / "s.zip")
    env = {**os.environ, MARKER_ENV: str(marker)}
    written = otter_run(dist["autograder.zip"], submission, tmp_path / "otter", env=env)
    assert not marker.exists(), marker.read_text()
    assert written["score"] == 0
    assert written["tests"] and all(t["score"] == 0 for t in written["tests"])
    assert all(t["status"] == "failed" and t["output"] for t in written["tests"])


def test_a_zip_grades_with_the_engine_inside_it(tmp_path):
    """A grading zip built from an edited project grades by its edits, this install beside it."""
    project = tmp_path / "project"
    for name in ("autograder", "pyproject.toml", "assignment", "reference"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    rubric = project / "assignment" / "rnnlab.toml"
    text = rubric.read_text()
    edits = {  # a title, and a point moved from one hidden test to another
        r'"build_vocab: ties go to the word that occurs first"': '"ties: edited in the zip"',
        r"(vocab_matches_reference = \{ points = )3,": r"\g<1>2,",
        r"(encode_matches_reference = \{ points = )2,": r"\g<1>3,",
    }
    for old, new in edits.items():
        text, count = re.subn(old, new, text)
        assert count == 1, old
    rubric.write_text(text)
    check = project / "reference" / "hidden_tests" / "vocab.py"
    signature = "def ties_go_to_first_occurrence(sub, ref):\n"
    assert signature in check.read_text()
    check.write_text(
        check.read_text().replace(
            signature, f'{signature}    raise AssertionError("this check was edited in the zip")\n'
        )
    )
    # Built by the edited project's own code, in a process that sees only it.
    build_it = "import sys; sys.path.insert(0, sys.argv[1]); "
    build_it += "from autograder.kit.build import build; "
    build_it += "from pathlib import Path; build(Path(sys.argv[2]))"
    subprocess.run(
        [sys.executable, "-I", "-c", build_it, str(project), str(tmp_path / "dist")],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    submission = export_zip(
        {"student": tmp_path / "dist" / "student"}, ROOT / "reference", tmp_path / "s.zip"
    )
    written = otter_run(tmp_path / "dist" / "autograder.zip", submission, tmp_path / "otter")
    by_name = {t["name"]: t for t in written["tests"]}
    edited = by_name["vocab: ties: edited in the zip"]
    details = [t for n, t in by_name.items() if n.startswith("vocab: ties: edited in the zip ")]
    assert edited["status"] == "failed"  # pass/fail now; what went wrong, after the due date
    assert details and all("edited in the zip" in t["output"] for t in details)
    assert by_name["vocab: build_vocab: 1..V by frequency, on generated reviews"]["max_score"] == 2
    encode = "vocab: encode_reviews: words in order, unknown ones left out"
    assert by_name[encode]["max_score"] == 3
    assert written["score"] == 98  # the reference, less the edited check's two points
    installed = {t["name"] for t in rnnlab_results(submission)["tests"]}
    assert "vocab: ties: edited in the zip" not in installed  # this install knows no such test


def test_the_grading_zip_carries_the_engine_and_installs_nothing_unused(dist):
    with zipfile.ZipFile(dist["autograder.zip"]) as archive:
        names = set(archive.namelist())
        setup = archive.read("setup.sh").decode()
        environment = archive.read("environment.yml").decode()
        config = json.loads(archive.read("otter_config.json"))
        run_otter = archive.read("run_otter.py").decode()
    assert config["plugins"] == ["autograder.kit.otter_bridge.RnnlabGrading"]
    assert run_otter == RUN_SCRIPT  # Gradescope's entry is rnnlab's: the upload shaped first
    assert config["zips"] is False
    assert "playwright" not in setup and "chromium" not in setup and "libgit2" not in setup
    assert "[grading]" in environment and "plugins" not in environment
    assert "/autograder/source/rnnlab" in environment
    # The engine beside the tests, not in files/: otter copies files/ into the submission.
    assert {n for n in names if n.startswith("files/")} == {f"files/{NOTEBOOK}"}
    engine = {n for n in names if n.startswith("rnnlab/")}
    for path in (
        "rnnlab/autograder/cli/__init__.py",
        "rnnlab/reference/lstm.py",
        "rnnlab/pyproject.toml",
    ):
        assert path in engine
    assert any(n.startswith("rnnlab/reference/hidden_tests/") for n in engine)
    assert not any("__pycache__" in n for n in names)


@pytest.fixture(scope="module")
def quick_zip(dist, tmp_path_factory) -> Path:
    """The grading zip with 8 s, not 60, for each numpy question: a submission that loops
    or hangs costs a test less (the zip's own manifest is what grades)."""
    target = tmp_path_factory.mktemp("quick") / "autograder.zip"
    with (
        zipfile.ZipFile(dist["autograder.zip"]) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        pointer = source.read(f"{ENGINE}/{ASSIGNMENT_POINTER}").decode().strip()
        for info in source.infolist():
            data = source.read(info)
            if info.filename == f"{ENGINE}/{pointer}":  # the assignment's manifest
                text, count = re.subn(
                    r"(\[profiles\.numpy\]\nseconds = )60\b", r"\g<1>8", data.decode()
                )
                assert count == 1, "the numpy profile's budget moved"
                data = text.encode()
            archive.writestr(info, data)
    return target


ISOLATION_ONLY = {
    "dask_takeover", "disk_fill", "finds_another_checkout", "lstm_dataset_graph",
    "lstm_pyfunc_graph", "nproc", "patches_numpy", "reads_around", "shared_memory",
}  # fmt: skip
"""Hostile submissions whose attack meets only the sandbox, the same on every path: the
isolation matrix grades them in every tier (``tests/security/test_isolation.py``). The
others reach what the otter path adds (its output, its processes' lifetime, its memory,
what it reads back) and run here too; so do the shadows, below."""


@pytest.mark.slow
@pytest.mark.parametrize(
    "folder",
    [p for p in submissions.HOSTILE if p not in SHADOWS and p.name not in ISOLATION_ONLY],
    ids=lambda p: p.name,
)
def test_hostile_submissions_score_zero_through_otter(dist, quick_zip, tmp_path, folder):
    """What ``rnnlab grade`` gives these hostile submissions (0), otter gives them too."""
    submission = hostile_export(dist, folder, tmp_path / "s.zip")
    written = otter_run(quick_zip, submission, tmp_path / "otter")
    assert written["score"] == 0
    assert written["tests"] and all(t["status"] == "failed" for t in written["tests"])


def _found(root: Path, pattern: str) -> bool:
    """Whether a folder under ``root`` matches ``pattern`` (folders may vanish as it looks:
    ``os.walk`` passes over them, where ``Path.rglob`` raises)."""
    return any(fnmatch.filter(dirs, pattern) for _, dirs, _ in os.walk(root))


def _ours(root: Path) -> list[str]:
    """The command lines of running processes that name a path under ``root``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and str(root) in line:
            found.append(line)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=lambda s: s.name)
def test_nothing_of_rnnlab_outlives_otter_killed_mid_grade(dist, tmp_path, how):
    """Otter dies while rnnlab grades a submission that never returns (so the grade cannot
    end first): the grading process ends with it and its folders go."""
    submission = hostile_export(
        dist, submissions.HERE / "hostile" / "endless_loop", tmp_path / "s.zip"
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "RNNLAB_SANDBOX": "permissions"}
    out = tmp_path / "otter"
    out.mkdir()
    command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(dist["autograder.zip"])]
    otter = subprocess.Popen(
        [*command, "-o", str(out), str(submission)], env=env, cwd=out,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # The grade has reached a sandbox once one's folder exists (in the grader's TMPDIR).
        for _ in range(1200):
            if _found(scratch, "rnnlab-sandbox-*"):
                break
            assert otter.poll() is None, "otter ended before any sandbox started"
            time.sleep(0.1)
        else:
            pytest.fail("no sandbox started within 120 s")
        assert _ours(scratch)
        otter.send_signal(how)
        otter.wait()
        for _ in range(600):  # ends within a minute; the loop itself would run 60 s more
            if not _ours(scratch) and not list(scratch.glob("rnnlab-*")):
                break
            time.sleep(0.1)
        assert _ours(scratch) == []
        assert sorted(p.name for p in scratch.glob("rnnlab-*")) == []
    finally:
        otter.kill()


@pytest.mark.slow
def test_rnnlab_build_measures_the_otter_path_s_memory_into_the_zip_s_readme(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "build", "-o", str(tmp_path / "dist")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    with zipfile.ZipFile(tmp_path / "dist" / "autograder.zip") as archive:
        readme = archive.read("README.md").decode()
    said = re.search(r"Memory: grading the reference through otter run used (\d+) MB", readme)
    if os.geteuid() != 0:
        assert "Memory: not measured" in readme
        return
    assert said and 200 < int(said.group(1)) < 2000, readme
    assert "Choose at least" in readme and said.group(0) in done.stdout
