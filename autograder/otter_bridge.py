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

from autograder.grade import worst_case_seconds


@cache
def _results(folder: str) -> dict[str, dict] | str:
    """Grade the ``.py`` files at the top of ``folder``; map test name -> its result.

    A grade that fails or hangs gives its reason (a string) instead, cached like a
    result: every OK test case asks, and the grade must run once, not once per case.
    """
    with tempfile.TemporaryDirectory(prefix="rnnlab-otter-") as scratch:
        modules = Path(scratch) / "submission"
        modules.mkdir()
        for path in Path(folder).glob("*.py"):  # the otter tests/ folder is not the student's
            shutil.copy(path, modules / path.name)
        output = Path(scratch) / "results.json"
        # -I: neither the working directory nor PYTHONPATH can put a student's module
        # before rnnlab's own imports.
        command = [sys.executable, "-I", "-m", "autograder.cli", "grade", str(modules)]
        command += ["-o", str(output), "-q"]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, cwd=scratch, timeout=worst_case_seconds()
            )
        except subprocess.TimeoutExpired:
            return f"grader error: rnnlab grade did not finish in {worst_case_seconds():g} s"
        if not output.exists():
            return f"grader error: rnnlab grade failed: {done.stderr.strip()[-2000:]}"
        tests = json.loads(output.read_text())["tests"]
    return {test["name"]: test for test in tests}


def outcome(name: str, folder: str = ".") -> str:
    """``"passed"``, or the feedback of the rubric test called ``name`` (``"question: title"``)."""
    results = _results(str(Path(folder).resolve()))
    if isinstance(results, str):
        return results
    test = results.get(name)
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
