"""The ``sub`` fixture: your modules, as the tests (and the grader's public tests) use them.

By default they come from the folder above this one (your filled-in copy).
Set RNNLAB_IMPL to another folder to run these tests on it instead. A failed
test says what the grader says for it (``local.explain``). At the end, the
points of the passed tests are added up, on the grader's scale; on GitHub
Actions the score also goes to the job summary.
"""

import json
import logging
import os
from pathlib import Path

# Before anything imports TensorFlow: lstm.py's TF 1 cells live in tf-keras (set here too, so
# the tests pass whatever lstm.py's first lines say), and TensorFlow's C++ log lines are off.
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import local  # noqa: E402
import pytest  # noqa: E402
import rnnlab_check  # noqa: E402
from local import Submission  # noqa: E402

POINTS = json.loads((Path(__file__).parent / "points.json").read_text())


def pytest_configure(config):
    """TensorFlow's deprecation warnings (``MultiRNNCell is deprecated``, ...) are not yours."""
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:.*deprecated:UserWarning")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def sub():
    return Submission()


@pytest.fixture(autouse=True)
def _no_call_yet():
    local.forget()


def pytest_assertrepr_compare(op, left, right):
    return [local.compare(op, left, right)]


_said: dict[str, str] = {}
"""What failed tests said -> the first test to say it: one cause is said once."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report is its name and what the grader says for it, without pytest's
    traceback; a failure in the words of an earlier one (a module that does not import)
    points there."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and call.excinfo is not None:
        path, _, name = report.nodeid.partition("::")
        test = f"{Path(path).name}::{name}"
        said = rnnlab_check.once(test, local.explain(call.excinfo.value, test), _said)
        report.longrepr = f"{local.name(test)}\n{said}"


def pytest_terminal_summary(terminalreporter):
    def key(report):
        path, _, name = report.nodeid.partition("::")
        return f"{Path(path).name}::{name}"

    passed = {key(r) for r in terminalreporter.stats.get("passed", []) if r.when == "call"}
    score = sum(points for test, points in POINTS.items() if test in passed)
    total = sum(POINTS.values())
    terminalreporter.write_line(f"public checks: {local.summary(score, total)}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        rows = "\n".join(
            f"| {'pass' if t in passed else 'FAIL'} | {t} | {p:g} |" for t, p in POINTS.items()
        )
        with open(summary, "a") as handle:
            handle.write(
                f"## Public checks: {score:g} / {total:g} points\n\n"
                f"{local.summary(score, total)}.\n\n"
                f"| | test | points |\n| --- | --- | ---: |\n{rows}\n"
            )
