"""The kit's notebook of an assignment without a notebook file: made from its manifest, per
question the summary of its functions' docstrings and a ``grader.check`` cell, then the
export cell."""

import importlib.util
import inspect

import nbformat

from autograder.kit.notebook import EXPORT, NOTEBOOK, OTTER_TESTS, lab_notebook


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
