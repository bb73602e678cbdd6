"""The otter path: the notebook runs top to bottom, its export grades, and otter agrees with us."""

import json
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
import submissions
from nbclient import NotebookClient

from autograder import ROOT
from autograder.build import build
from autograder.grade import grade
from autograder.rubric import MODULES

QUICK = {
    "RNNLAB_LIMIT": "0",
    "RNNLAB_EPOCHS": "1",
    "RNNLAB_LSTM_SIZE": "8",
    "RNNLAB_EMBED_SIZE": "8",
    "RNNLAB_BATCH_SIZE": "6",
    "RNNLAB_SINE_EPOCHS": "2",
}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"))


def export_zip(dist, modules, target):
    return submissions.export_zip(dist["student"] / "lab.ipynb", modules, target)


def otter_scores(dist, submission, out) -> dict[str, float]:
    out.mkdir()
    command = [
        sys.executable,
        "-m",
        "otter",
        "run",
        "--no-logo",
        "-a",
        str(dist["autograder.zip"]),
        "-o",
        str(out),
        str(submission),
    ]
    subprocess.run(command, capture_output=True, text=True, check=True)
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: t["score"] for t in tests if t["name"] != "Public Tests"}


def rnnlab_scores(submission) -> dict[str, float]:
    return {
        q: sum(o.score for o in outcomes) for q, outcomes in grade(submission).by_question().items()
    }


def test_the_notebook_runs_top_to_bottom_on_the_reference(dist, tmp_path, tiny_data, monkeypatch):
    kit = tmp_path / "kit"
    shutil.copytree(dist["student"], kit)
    for module in MODULES:
        shutil.copy(ROOT / "reference" / f"{module}.py", kit / f"{module}.py")
    for name, value in {**QUICK, "RNNLAB_DATA": str(tiny_data)}.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(kit / "lab.ipynb", as_version=4)
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
    assert {f"{m}.py" for m in MODULES} <= set(zipfile.ZipFile(exported[0]).namelist())
    report = grade(exported[0])  # the notebook's own export, as a submission
    assert report.score == report.max_score == 100


@pytest.mark.parametrize(
    "name",
    ["reference", "stubs", "backward_the_sheets", "lstm_shared_cell", "labels_unknown_as_zero"],
)
def test_otter_run_gives_the_same_scores_as_rnnlab_grade(dist, tmp_path, name):
    if name == "reference":
        modules = ROOT / "reference"
    elif name == "stubs":
        modules = ROOT / "assignment"
    else:
        modules = submissions.spliced(submissions.HERE / "buggy" / f"{name}.py", tmp_path / "m")
    submission = export_zip(dist, modules, tmp_path / f"{name}.zip")
    assert otter_scores(dist, submission, tmp_path / "otter") == rnnlab_scores(submission)


@pytest.mark.slow
@pytest.mark.parametrize("bug", submissions.BUGGY, ids=lambda p: p.stem)
def test_otter_agrees_on_every_buggy_submission(dist, tmp_path, bug):
    modules = submissions.spliced(bug, tmp_path / "m")
    submission = export_zip(dist, modules, tmp_path / "s.zip")
    assert otter_scores(dist, submission, tmp_path / "otter") == rnnlab_scores(submission)
