"""The otter-grader path: OK test files that ask rnnlab's engine, and a plugin.

``rnnlab build`` writes one OK test file per question into the grading zip;
each test case asks ``outcome`` for one rubric test, and ``outcome`` grades the
submission's modules once, with ``rnnlab grade`` in a separate process (so in
our sandboxes), and answers from its ``results.json``.

``RunModulesOnly`` is an otter plugin that replaces the submitted notebook by an
empty one before otter executes it: the notebook's own code never runs in
otter's grading kernel, only the tests' calls to ``outcome`` do.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import nbformat
from otter.plugins import AbstractOtterPlugin


@cache
def _results(folder: str) -> dict[str, dict]:
    """Grade the ``.py`` files at the top of ``folder``; map test name -> its result."""
    with tempfile.TemporaryDirectory(prefix="rnnlab-otter-") as scratch:
        modules = Path(scratch) / "submission"
        modules.mkdir()
        for path in Path(folder).glob("*.py"):  # the otter tests/ folder is not the student's
            shutil.copy(path, modules / path.name)
        output = Path(scratch) / "results.json"
        command = [
            sys.executable,
            "-m",
            "autograder.cli",
            "grade",
            str(modules),
            "-o",
            str(output),
            "-q",
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if not output.exists():
            raise RuntimeError(f"rnnlab grade failed: {done.stderr.strip()[-2000:]}")
        tests = json.loads(output.read_text())["tests"]
    return {test["name"]: test for test in tests}


def outcome(name: str, folder: str = ".") -> str:
    """``"passed"``, or the feedback of the rubric test called ``name`` (``"question: title"``)."""
    test = _results(str(Path(folder).resolve())).get(name)
    if test is None:
        return f"{name}: this test was not graded"
    return "passed" if test["status"] == "passed" else test["output"]


class RunModulesOnly(AbstractOtterPlugin):
    """Grade the modules, never the notebook's code: otter executes an empty notebook."""

    def before_execution(self, submission):
        if isinstance(submission, str):  # a script submission
            return ""
        empty = nbformat.v4.new_notebook()
        empty.metadata = submission.get("metadata", {})
        return empty
