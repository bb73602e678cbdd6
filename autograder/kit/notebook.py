"""The student kit's notebook and what comes with it, from the assignment's notebook file.

The assignment's ``notebook`` file (a Python file, run here) defines:

- ``cells(export=, notebook=, tests_dir=)``: the notebook's ``(kind, source)`` cells, kind
  ``"markdown"`` or ``"code"``: its text, its calls of the student's modules and its
  ``grader.check`` cells (which run the public tests through ``tests/local.py``). Its last
  cell is ``export`` (``export_source``): it zips the notebook with every module beside it
  (the graded ones and any helper module of the student's), the submission;
- optionally ``kit_files``: files beside the notebook file that the kit carries at its top
  level, beside the notebook (a script that gets the data, say). The export leaves them out:
  they are the kit's, not the student's;
- optionally ``readme``: Markdown the kit's README adds after its setup (where the data come
  from, what a run takes);
- optionally ``gitignore``: lines the kit's ``.gitignore`` adds to the engine's (what the
  assignment's runs write: its data, its checkpoints).

An assignment without a notebook file gets one made from its manifest (``default_cells``):
what the kit's README tells every student to work through, check and hand in with.
"""

import ast
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.formats.manifest import Assignment
from autograder.kit import stubs

NOTEBOOK = "lab.ipynb"
"""The kit's notebook, and the name of the notebook in an export zip."""
OTTER_TESTS = "otter_tests"
"""The kit's folder of OK test files (one per question) for ``grader.check``."""


GRADED = (
    "Only your modules are graded: the grader tests your `.py` files and never runs the "
    "notebook, so its outputs neither earn nor cost points."
)
"""Said by the kit's README and by the handing-in text of every notebook rnnlab makes."""
HEADLESS_RUN = f"python -m nbconvert --to notebook --execute --inplace {NOTEBOOK}"
"""Runs every cell of the notebook without an editor, and saves it with its outputs once the
last cell has run: after the export cell, so that cell zips the notebook as it was before."""


def _modules(kit_files: tuple[str, ...], quote: str) -> str:
    """The expression that lists the ``.py`` files to hand in: all beside the notebook but the
    kit's own (``kit_files``)."""
    names = ", ".join(f"{quote}{name}{quote}" for name in kit_files)
    kept_out = f" - {{{names}}}" if kit_files else ""
    return f"sorted(set(glob.glob({quote}*.py{quote})){kept_out})"


def headless_zip(notebook: str = NOTEBOOK) -> str:
    """The zip ``export_command`` writes: named after the notebook (``lab.zip``)."""
    return notebook.rsplit(".", 1)[0] + ".zip"


def export_command(
    notebook: str = NOTEBOOK, tests_dir: str = OTTER_TESTS, kit_files: tuple[str, ...] = ()
) -> str:
    """The export cell's hand-in as one line for a terminal (bash, cmd or PowerShell), run
    after ``HEADLESS_RUN``: the notebook as it is on disk, with every module, into a zip
    named after the notebook (``lab.zip``), through otter's ``export`` as the cell does.
    """
    zipped = headless_zip(notebook)
    call = (
        f"otter.Notebook('{notebook}', tests_dir='{tests_dir}').export(pdf=False, "
        f"ignore_log=True, display_link=False, export_path='{zipped}', "
        f"files={_modules(kit_files, chr(39))})"
    )
    return f"python -c \"import glob, otter; {call}; print('wrote {zipped}')\""


def export_source(
    notebook: str = NOTEBOOK, kit_files: tuple[str, ...] = (), tests_dir: str = OTTER_TESTS
) -> str:
    """The export cell: every ``.py`` file beside the notebook but the kit's own, zipped.

    That is the graded modules and any helper a student wrote for them (a module that
    imports utils.py must bring it). The kit's other Python files are in tests/ and
    otter_tests/, which a top-level glob does not reach. The otter log stays out: nothing
    in grading reads it, and it is a pickle, which otter would load. If the notebook on
    disk is older than a module, the zip would carry outputs that predate the last change:
    one line says so, and the export goes on. That is also what a headless run
    (``HEADLESS_RUN``) gets, since it saves the notebook only after this cell: the cell's
    comment gives the one-line command that hands in the notebook as it ran.
    """
    stale = (
        f"Warning: {notebook} was last saved before your last change to a module: save the "
        "notebook (Ctrl+S) and run this cell again to hand in its latest outputs (after "
        "nbconvert, run the command in this cell's comment)."
    )
    return (
        "# Only your modules are graded; this zips them with the notebook as it is on disk.\n"
        f"# Ran the notebook headless ({HEADLESS_RUN})? Then hand in from a terminal:\n"
        f"# {export_command(notebook, tests_dir, kit_files)}\n"
        "import glob\nimport os\n\n"
        f"modules = {_modules(kit_files, chr(34))}\n"
        f'if modules and os.path.getmtime("{notebook}") < max(map(os.path.getmtime, modules)):\n'
        f"    print({stale!r})\n"
        "grader.export(pdf=False, ignore_log=True, files=modules)"
    )


EXPORT = export_source()
"""The export cell of a kit without files of its own."""


@dataclass
class StudentSide:
    """What the assignment's notebook file gives the kit."""

    cells: list[tuple[str, str]] = field(default_factory=list)
    kit_files: list[Path] = field(default_factory=list)
    """Absolute paths; the kit carries each at its top level, under its own name."""
    readme: str = ""
    gitignore: list[str] = field(default_factory=list)


def default_cells(assignment: Assignment) -> list[tuple[str, str]]:
    """The notebook of an assignment without a notebook file, from its manifest: what to do,
    a cell that imports the modules and starts otter's grader, per question the summary of
    each of its functions' docstrings and its ``grader.check`` cell, then the export cell.
    """
    modules = modules_named(assignment)
    they = "they import" if len(assignment.modules) > 1 else "it imports"
    imports = "".join(f"import {m}\n" for m in assignment.modules)
    cells = [
        (
            "markdown",
            f"# {assignment.title}\n\n"
            f"Your code goes in {modules}, next to this notebook: every function that raises "
            "`NotImplementedError` is yours to write, and its docstring says exactly what it "
            "must do. Each question's `grader.check` cell runs its public tests; the hidden "
            "tests graded after you submit are stricter: read the docstrings.",
        ),
        (
            "code",
            "%load_ext autoreload\n%autoreload 2\n\nimport otter\n\n"
            f'{imports}\ngrader = otter.Notebook("{NOTEBOOK}", tests_dir="{OTTER_TESTS}")',
        ),
    ]
    summaries = {
        m: docstring_summaries(stubs.render(assignment.reference, m)) for m in assignment.modules
    }
    for question in assignment.questions:
        module, summary = question.module, summaries[question.module]
        said = [
            f"- `{module}.{f}`" + (f": {summary[f]}" if summary.get(f) else "")
            for f in question.functions
        ]
        cells.append(("markdown", f"## `{question.id}`\n\n" + "\n".join(said)))
        cells.append(("code", f'grader.check("{question.id}")'))
    cells.append(
        (
            "markdown",
            "## Handing in\n\n"
            "Run every `grader.check` cell above, save the notebook, then run the cell below. "
            f"It writes a zip with this notebook and every `.py` file beside it ({modules}, and "
            f"any module of your own that {they}): that zip is what you hand in. {GRADED}",
        )
    )
    cells.append(("code", EXPORT))
    return cells


def modules_named(assignment: Assignment) -> str:
    """The graded modules in a sentence: ```a.py```, ```a.py`, `b.py` and `c.py```."""
    names = [f"`{m}.py`" for m in assignment.modules]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def docstring_summaries(source: str) -> dict[str, str]:
    """Each top-level function's docstring summary (its first paragraph, on one line, its
    ``literals`` in Markdown's backticks), read without running ``source``."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node) or ""
            found[node.name] = " ".join(doc.split("\n\n")[0].split()).replace("``", "`")
    return found


def student_side(assignment: Assignment) -> StudentSide:
    """Run the assignment's notebook file (the instructor's) and collect what it defines;
    without one, the notebook is ``default_cells``."""
    if assignment.notebook is None:
        return StudentSide(cells=default_cells(assignment))
    namespace: dict = {"__file__": str(assignment.notebook)}
    source = assignment.notebook.read_text(encoding="utf-8")
    exec(compile(source, str(assignment.notebook), "exec"), namespace)  # the instructor's
    base = assignment.notebook.parent
    files = [(base / name).resolve() for name in namespace.get("kit_files", ())]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"{assignment.notebook}: kit_files: no file {missing[0]}")
    export = export_source(NOTEBOOK, tuple(f.name for f in files), OTTER_TESTS)
    cells = namespace["cells"](export=export, notebook=NOTEBOOK, tests_dir=OTTER_TESTS)
    return StudentSide(
        cells=list(cells),
        kit_files=files,
        readme=str(namespace.get("readme", "")).strip(),
        gitignore=[str(line) for line in namespace.get("gitignore", ())],
    )


def _python3(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def lab_notebook(assignment: Assignment, side: StudentSide | None = None) -> nbformat.NotebookNode:
    """The kit's notebook (``default_cells`` if the assignment has no notebook file)."""
    side = side or student_side(assignment)
    made = [
        new_markdown_cell(text) if kind == "markdown" else new_code_cell(text)
        for kind, text in side.cells
    ]
    return _python3(new_notebook(cells=made))


def grading_notebook() -> nbformat.NotebookNode:
    """The grading zip's stand-in for the student's notebook: no cells.

    Otter copies it into the submission folder before it looks there for what to
    grade, over an exported ``lab.ipynb``; so otter finds a notebook also when the
    student handed in only ``.py`` files (otter alone refuses more than one ``.py``
    file without a notebook), and never executes the student's. Other notebooks
    of the student's are set aside first (``upload.shape_upload``): this one is
    the only one.
    """
    return _python3(new_notebook())
