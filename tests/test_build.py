"""rnnlab build: the student kit holds what students need and nothing of the grading."""

import ast
import os
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
import yaml

from autograder import ROOT, stubs
from autograder.build import build, student_ok_tests
from autograder.manifest import current as current_assignment

LAB = current_assignment()


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"))


def solution_lines() -> set[str]:
    """Every substantial line of solution code in the reference that its docstrings do not state.

    (``split_idx = int(n * split_frac)`` is the contract's own wording, for one.)
    """
    stated = "\n".join(stubs.render(ROOT / "reference", m) for m in LAB.modules)
    lines = set()
    for module in LAB.modules:
        inside = False
        for line in (ROOT / "reference" / f"{module}.py").read_text().splitlines():
            stripped = line.strip()
            if stripped == "# BEGIN SOLUTION":
                inside = True
            elif stripped == "# END SOLUTION":
                inside = False
            elif inside and len(stripped) > 25 and not stripped.startswith("#"):
                lines.add(stripped)
    return {line for line in lines if line not in stated}


def hidden_test_names() -> set[str]:
    names = set()
    for path in (ROOT / "reference" / "hidden_tests").glob("*.py"):
        tree = ast.parse(path.read_text())
        names |= {
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef) and not n.name.startswith("_") and len(n.name) > 12
        }
    return names


def kit_texts(dist) -> dict[str, str]:
    with zipfile.ZipFile(dist["student.zip"]) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_kit_has_what_students_need(dist):
    names = set(kit_texts(dist))
    expected = {f"{m}.py" for m in LAB.modules} | {
        "lab.ipynb",
        "requirements.txt",
        "README.md",
        ".github/workflows/check.yml",
        "tests/local.py",
        "tests/conftest.py",
        "tests/probes.py",
    }
    assert expected <= names
    assert {f"otter_tests/{q.id}.py" for q in LAB.questions} <= names


def test_the_kit_holds_no_reference_code_and_no_hidden_tests(dist):
    texts = kit_texts(dist)
    leaked = [
        (name, line) for line in solution_lines() for name, text in texts.items() if line in text
    ]
    assert leaked == []
    hidden = [
        (name, test)
        for test in hidden_test_names()
        for name, text in texts.items()
        if re.search(rf"\b{test}\b", text)
    ]
    assert hidden == []
    assert not any(name.startswith(("reference/", "autograder/")) for name in texts)
    assert len(solution_lines()) > 30 and len(hidden_test_names()) > 30  # the search has teeth


def test_the_notebook_is_valid_and_checks_every_question(dist):
    notebook = nbformat.read(dist["student"] / "lab.ipynb", as_version=4)
    nbformat.validate(notebook)
    source = "\n".join(cell.source for cell in notebook.cells)
    for question in LAB.questions:
        assert f'grader.check("{question.id}")' in source
    assert "grader.export(" in notebook.cells[-1].source


def test_the_ok_files_run_each_public_test_once():
    for question in LAB.questions:
        namespace: dict = {}
        exec(student_ok_tests()[f"{question.id}.py"], namespace)
        cases = namespace["test"]["suites"][0]["cases"]
        public = [t for t in question.tests if t.visibility == "public"]
        assert len(cases) == len(public)
        assert [c["points"] for c in cases] == [t.points for t in public]


def test_the_workflow_runs_the_public_checks_and_reports_the_score(dist, tmp_path):
    workflow = yaml.safe_load((dist["student"] / ".github/workflows/check.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    commands = [s["run"] for s in steps if "run" in s]
    assert "pip install -r requirements.txt" in commands[0]
    kit = tmp_path / "kit"
    shutil.copytree(dist["student"], kit)
    for module in LAB.modules:  # a student who has done everything
        shutil.copy(ROOT / "reference" / f"{module}.py", kit / f"{module}.py")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    env.pop("RNNLAB_IMPL", None)
    done = subprocess.run(
        commands[-1].replace("python", sys.executable, 1),
        shell=True,
        cwd=kit,
        env=env,
        capture_output=True,
        text=True,
    )
    total = sum(t.points for q in LAB.questions for t in q.tests if t.visibility == "public")
    assert done.returncode == 0, done.stdout[-2000:]
    assert f"Public checks: {total:g} / {total:g} points" in summary.read_text()
