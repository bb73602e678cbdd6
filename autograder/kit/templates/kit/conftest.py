"""The ``sub`` fixture for ``pytest tests``, and the public tests' score at the end.

rnnlab's default: ``rnnlab build`` gives it to the kit of an assignment whose public tests
have no ``conftest.py`` of their own. ``sub`` is ``rnnlab_check.submission()``: the
assignment's ``local.Submission`` if its ``tests/local.py`` defines one, else the student's
modules as they are (``sub.<module>``), from the folder above this one or $RNNLAB_IMPL.
On GitHub Actions the score also goes to the job summary.
"""

import json
import os
from pathlib import Path

import pytest
from rnnlab_check import submission

POINTS = json.loads((Path(__file__).parent / "points.json").read_text())


@pytest.fixture(scope="session")
def sub():
    return submission()


def pytest_terminal_summary(terminalreporter):
    passed = {
        f"{Path(r.nodeid.partition('::')[0]).name}::{r.nodeid.partition('::')[2]}"
        for r in terminalreporter.stats.get("passed", [])
        if r.when == "call"
    }
    score = sum(points for test, points in POINTS.items() if test in passed)
    total = sum(POINTS.values())
    terminalreporter.write_line(f"public checks: {score:g} / {total:g} points")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        rows = "".join(
            f"| {'pass' if t in passed else 'FAIL'} | {t} | {p:g} |\n" for t, p in POINTS.items()
        )
        with open(summary, "a") as handle:
            handle.write(f"## Public checks: {score:g} / {total:g} points\n\n")
            handle.write(f"| | test | points |\n| --- | --- | ---: |\n{rows}")
