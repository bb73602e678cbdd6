"""The notebook's ``grader.check``, and the public tests' default runner: rnnlab's, in every kit.

``rnnlab stubs`` and ``rnnlab build`` write this file beside an assignment's public tests
(its kit's ``tests/``) and overwrite it there: an assignment words its failures in its own
``tests/local.py`` instead, which may define

- ``run(module, test)``: run ``test_<test>`` of ``test_<module>.py`` on the student's modules
  and say ``passed`` or what went wrong (the lab's names the call, what came back and the
  hidden tests of the same clause);
- ``Submission``: what the public tests get as ``sub`` (``sub.<module>``).

This file's own ``run`` and ``Submission`` stand in for those an assignment does not define.
``check(module, test, name)`` is what otter's OK tests (``otter_tests/<question>.py``, which
``rnnlab build`` writes) call for each public test: it runs the test and prints only what went
wrong (a failure in the very words of an earlier test's, a module that does not import say, is
said once: the others point at it). Their last case calls ``points``: the public points
earned, printed when some were lost (the case's message says them when none were).

Why rnnlab provides ``check`` and not each assignment: the OK tests that call it are
rnnlab's, so the function they call comes with them. When each assignment's ``local.py`` had
to define it, a new assignment (``rnnlab new``'s, or one with no ``local.py``) shipped a kit
whose every ``grader.check`` failed with an AttributeError or a NameError, and nothing
before a student's first check said so. The kit has no rnnlab installed: this file imports
the standard library only.
"""

import doctest
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMPL = Path(os.environ.get("RNNLAB_IMPL", HERE.parent)).resolve()
"""The student's modules: the folder above this one (the kit's), or $RNNLAB_IMPL."""
for folder in (HERE, IMPL):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


class Submission:
    """``sub.<module>``: the student's module of that name."""

    def __getattr__(self, module: str) -> object:
        return importlib.import_module(module)


def run(module: str, test: str) -> str:
    """Run ``test_<test>`` of ``test_<module>.py`` on the modules: ``passed`` or why not."""
    function = getattr(importlib.import_module(f"test_{module}"), f"test_{test}")
    try:
        function(submission())
    except KeyboardInterrupt:
        raise
    except NotImplementedError as error:
        return f"not written yet: {error}"
    except BaseException as error:  # noqa: BLE001 - every failure becomes feedback
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = f"line {frame.lineno} of {Path(frame.filename).name}: {frame.line}"
        return f"{type(error).__name__}: {str(error) or 'assertion failed'}\n  at {where}"
    return "passed"


_passed: dict[str, bool] = {}
"""The tests of the question being checked (by name): whether each passed."""
_said: dict[str, str] = {}
"""What the failed tests of the question being checked said -> the first test to say it."""


def check(module: str, test: str, name: str = "") -> None:
    """``run`` (the assignment's own, if it has one) for the notebook's ``grader.check``:
    prints nothing if the test passed, else what went wrong, and nothing else (none of the
    doctest's own transcript). ``name`` is the test's, as the grader names it."""
    name = name or f"test_{module}.py::test_{test}"
    if name in _passed:  # a new grader.check of the question
        forget()
    said = _local("run", run)(module, test)
    _passed[name] = said == "passed"
    if said != "passed":
        _quiet_doctest()
        print(once(name, said, _said))


def once(name: str, said: str, seen: dict[str, str]) -> str:
    """``said``, or where an earlier test (``seen``: words -> test) said exactly that, a
    pointer to it: one cause, said once."""
    first = seen.setdefault(said, name)
    return said if first == name else f"the same failure as {first}, above"


def points(public: dict[str, float], hidden: float) -> None:
    """The last case of a question's checks: the public points earned (``public``: the
    points of each test, by name), printed if some were lost."""
    earned = sum(p for name, p in public.items() if _passed.get(name))
    forget()
    if earned < sum(public.values()):
        _quiet_doctest()
        print(scale(earned, sum(public.values()), hidden))


def scale(earned: float, public: float, hidden: float) -> str:
    """The public points earned out of the public points, and the points still to be graded,
    as ``rnnlab check`` and the kit's pytest say them (rnnlab's ``rubric.public_scale``)."""

    def counted(value: float, kind: str) -> str:
        return f"{value:g} {kind} point{'' if value == 1 else 's'}"

    verb = "is" if hidden == 1 else "are"
    more = f"; {counted(hidden, 'more')} {verb} graded by hidden tests after you submit"
    return f"{earned:g} of the {counted(public, 'public')}{more if hidden else ''}"


def forget() -> None:
    """A question's checks start afresh."""
    _passed.clear()
    _said.clear()


def submission() -> object:
    """What the public tests get as ``sub``: the assignment's ``local.Submission`` if it
    defines one, else ``Submission``."""
    return _local("Submission", Submission)()


def _local(name: str, default: Callable) -> Callable:
    """``local.<name>`` if the assignment's ``tests/local.py`` defines it, else ``default``."""
    if not (HERE / "local.py").is_file():
        return default
    return getattr(importlib.import_module("local"), name, default)


def _quiet_doctest() -> None:
    """Inside a doctest (otter's OK tests), keep its report of this failed example to
    what the example printed: its "Trying: ... Expected nothing ... Got:" is noise here."""
    frame = sys._getframe(1)
    while frame is not None and not isinstance(frame.f_locals.get("self"), doctest.DocTestRunner):
        frame = frame.f_back
    if frame is None:
        return
    runner, out = frame.f_locals["self"], frame.f_locals.get("out")
    stream = getattr(out, "__self__", None)
    if hasattr(stream, "truncate") and hasattr(stream, "seek"):
        stream.seek(0)
        stream.truncate()  # what the runner wrote of this test so far: "Trying: ..."
    runner.report_failure = lambda out, test, example, got: out(got)
