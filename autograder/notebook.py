"""The student kit's notebook, written with nbformat from the assignment's cells.

The assignment's ``notebook`` file has ``cells(export)``: its text, its calls of
the student's modules and its ``grader.check`` cells (which run the public tests
through ``tests/local.py``); its last cell is ``export``, ``grader.export``, which
zips the notebook with every module beside it (the graded ones and any helper
module of the student's): the submission.
"""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.manifest import Assignment

NOTEBOOK = "lab.ipynb"
"""The kit's notebook, and the name of the notebook in an export zip."""
OTTER_TESTS = "otter_tests"
"""The kit's folder of OK test files (one per question) for ``grader.check``."""
# Every .py file beside the notebook: the graded modules and any helper a student wrote for
# them (a module that imports utils.py must bring it). The kit's own Python files are
# in tests/ and otter_tests/, which a top-level glob does not reach. The otter log stays
# out: nothing in grading reads it, and it is a pickle, which otter would load.
EXPORT = 'grader.export(pdf=False, ignore_log=True, files=sorted(glob.glob("*.py")))'


def _python3(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def lab_notebook(assignment: Assignment) -> nbformat.NotebookNode:
    """The kit's notebook (an empty one if the assignment has none)."""
    made = []
    if assignment.notebook is not None:
        namespace: dict = {}
        source = assignment.notebook.read_text(encoding="utf-8")
        exec(compile(source, str(assignment.notebook), "exec"), namespace)  # the instructor's
        made_cells = namespace["cells"](export=EXPORT, notebook=NOTEBOOK, tests_dir=OTTER_TESTS)
        for kind, text in made_cells:
            made.append(new_markdown_cell(text) if kind == "markdown" else new_code_cell(text))
    return _python3(new_notebook(cells=made))


def grading_notebook() -> nbformat.NotebookNode:
    """The grading zip's stand-in for the student's notebook: no cells.

    Otter copies it into the submission folder before it looks there for what to
    grade, over an exported ``lab.ipynb``; so otter always finds one notebook,
    also when the student handed in only ``.py`` files (otter alone refuses more
    than one ``.py`` file without a notebook), and never executes the student's.
    """
    return _python3(new_notebook())
