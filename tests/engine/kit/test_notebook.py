"""The kit's notebook of an assignment without a notebook file: made from its manifest, per
question the summary of its functions' docstrings and a ``grader.check`` cell, then the
export cell; and the one-line export command that hands in after a headless run."""

import importlib.util
import inspect
import shlex
import subprocess
import sys
import zipfile

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.kit.notebook import (
    EXPORT,
    GRADED,
    HEADLESS_RUN,
    NOTEBOOK,
    OTTER_TESTS,
    export_command,
    headless_zip,
    lab_notebook,
)


def reference_summary(assignment, module: str, function: str) -> str:
    """The first paragraph of the function's docstring, as Python itself reads it."""
    spec = importlib.util.spec_from_file_location(
        f"reference_{module}", assignment.reference / f"{module}.py"
    )
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    doc = inspect.getdoc(getattr(loaded, function))
    return " ".join(doc.split("\n\n")[0].split())


def test_an_assignment_without_a_notebook_file_gets_one_from_its_manifest(bare_assignment):
    assignment = bare_assignment
    assert assignment.notebook is None
    notebook = lab_notebook(assignment)
    nbformat.validate(notebook)
    cells = notebook.cells
    assert cells[0].cell_type == "markdown" and assignment.title in cells[0].source
    assert f'otter.Notebook("{NOTEBOOK}", tests_dir="{OTTER_TESTS}")' in cells[1].source
    for module in assignment.modules:
        assert f"import {module}\n" in cells[1].source
    checks = [i for i, c in enumerate(cells) if c.source.startswith("grader.check(")]
    assert [cells[i].source for i in checks] == [
        f'grader.check("{q.id}")' for q in assignment.questions
    ]
    for i, question in zip(checks, assignment.questions, strict=True):
        text = cells[i - 1]
        assert text.cell_type == "markdown" and f"`{question.id}`" in text.source
        for function in question.functions:
            summary = reference_summary(assignment, question.module, function)
            assert f"`{question.module}.{function}`: {summary.replace('``', '`')}" in text.source
    assert cells[-1].cell_type == "code" and cells[-1].source == EXPORT
    assert checks[-1] < len(cells) - 1  # the export comes after every check


def test_handing_in_says_only_the_modules_are_graded_and_how_to_hand_in_headless(
    bare_assignment,
):
    cells = lab_notebook(bare_assignment).cells
    assert "## Handing in" in cells[-2].source and GRADED in cells[-2].source
    export = cells[-1].source
    assert f"# {export_command()}\n" in export and HEADLESS_RUN in export


def test_the_export_command_hands_in_the_notebook_on_disk_and_the_modules(tmp_path):
    """After a headless run the notebook on disk has its outputs: the command zips that one,
    every module beside it, and no file of the kit's own."""
    ran = new_notebook(cells=[new_code_cell("print(6 * 7)", execution_count=1)])
    ran.cells[0].outputs = [new_output("stream", name="stdout", text="42\n")]
    nbformat.write(ran, tmp_path / NOTEBOOK)
    for name in ("answer.py", "helper.py", "get_data.py"):
        (tmp_path / name).write_text("X = 1\n")
    command = shlex.split(export_command(kit_files=("get_data.py",)))
    assert command[0] == "python"
    done = subprocess.run(
        [sys.executable, *command[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"wrote {headless_zip()}" in done.stdout
    with zipfile.ZipFile(tmp_path / headless_zip()) as archive:
        names = set(archive.namelist())
        handed_in = nbformat.reads(archive.read(NOTEBOOK).decode(), as_version=4)
    assert {NOTEBOOK, "answer.py", "helper.py"} <= names and "get_data.py" not in names
    assert ".OTTER_LOG" not in names
    assert handed_in.cells[0].outputs[0].text == "42\n"
